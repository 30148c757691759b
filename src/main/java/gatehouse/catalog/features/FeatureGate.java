package gatehouse.catalog.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;
import gatehouse.policy.provisioning.Decision;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.ProvisioningPolicy;
import gatehouse.policy.provisioning.ProvisioningView;
import gatehouse.policy.provisioning.ProvisioningView.GatewayFeatures;
import gatehouse.policy.provisioning.ProvisioningView.ServerFeatures;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The data plane's one entry into provisioning, called by the router: filters what a server listed
 * and admits names and URIs, through {@link ProvisioningPolicy} on the in-memory
 * {@link ProvisioningView}. Lists also feed the rug-pull comparison, so a definition that changed
 * is caught the moment a client lists it. Per message this costs map look-ups; fingerprints are
 * computed only for a list not seen before. A server discovery does not list (assigned only with
 * personal identities) is learned from the lists people's own sessions receive.
 */
@Component
public class FeatureGate {
    private final FeatureViews views;
    private final FeatureObservations observations;
    private final Discovery discovery;
    /** The last list filtered per gateway, server and kind, by identity: upstream sessions cache their lists. */
    private final Map<ListOf, Filtered> lastFiltered = new ConcurrentHashMap<>();

    /** Whose list a filtered part is: a record rather than a joined string, built on every list. */
    private record ListOf(String gatewayId, String serverId, String listKey) {
    }

    private record Filtered(ArrayNode source, long viewVersion, ArrayNode result) {
    }

    FeatureGate(FeatureViews views, FeatureObservations observations, Discovery discovery) {
        this.views = views;
        this.observations = observations;
        this.discovery = discovery;
    }

    /**
     * The items of a list ({@code tools}, {@code prompts}, {@code resources},
     * {@code resourceTemplates}) that the gateway exposes, in their order; the others are left out
     * as if the server did not have them.
     */
    public ArrayNode admitList(Assignment a, ServerDef server, String listKey, ArrayNode items) {
        FeatureKind kind = FeatureKind.fromListKey(listKey);
        ensureDiscovered(a, server, kind);
        ListOf key = new ListOf(a.gatewayId(), server.id(), listKey);
        Filtered last = lastFiltered.get(key);
        if (last != null && last.source() == items && last.viewVersion() == views.view().version()) {
            return last.result();
        }
        List<FeatureObservations.Listed> listed = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            listed.add(FeatureObservations.Listed.of(kind, item));
        }
        boolean recorded = observations.observe(a.gatewayId(), server.id(), Map.of(kind, listed.stream().filter(l -> l != null).toList()), false);
        ProvisioningView v = views.view();
        GatewayFeatures g = v.gateway(a.gatewayId());
        ServerFeatures sf = g.server(server.id());
        ArrayNode out = Json.array();
        for (int i = 0; i < items.size(); i++) {
            FeatureObservations.Listed l = listed.get(i);
            if (l != null && ProvisioningPolicy.decide(g.settings(), sf.get(kind, l.key()), l.fingerprint()).exposed()) {
                out.add(items.get(i));
            }
        }
        if (recorded) {
            // a list whose news could not be recorded is observed again next time, even as the same array
            lastFiltered.put(key, new Filtered(items, v.version(), out));
        }
        return out;
    }

    /** Whether the gateway exposes the tool or prompt {@code upstreamName} of this server. */
    public boolean admitName(Assignment a, ServerDef server, String listKey, String upstreamName) {
        return admitName(a, server, listKey, upstreamName, null);
    }

    /**
     * As {@link #admitName(Assignment, ServerDef, String, String)}; {@code callersList} lists a kind
     * on the caller's own session (null: no session to ask). A server that discovery does not list
     * (personal identities only) and whose kind nobody has listed yet is listed that way first, so
     * its first call is judged like any other: the list is recorded, then the name is looked up.
     */
    public boolean admitName(Assignment a, ServerDef server, String listKey, String upstreamName, Function<String, ArrayNode> callersList) {
        FeatureKind kind = FeatureKind.fromListKey(listKey);
        ensureDiscovered(a, server, kind);
        listOnCallersSession(a, server, kind, callersList);
        GatewayFeatures g = views.view().gateway(a.gatewayId());
        return ProvisioningPolicy.decide(g.settings(), g.server(server.id()).get(kind, upstreamName), null).exposed();
    }

    /**
     * Whether the gateway lets a client read (subscribe to, complete) {@code uri} on this server.
     * {@code matches} tells whether a URI template matches the URI.
     */
    public boolean admitUri(Assignment a, ServerDef server, String uri, Predicate<String> matches) {
        return admitUri(a, server, uri, matches, null);
    }

    /** As {@link #admitUri(Assignment, ServerDef, String, Predicate)}, listing on the caller's session as {@link #admitName} does. */
    public boolean admitUri(Assignment a, ServerDef server, String uri, Predicate<String> matches, Function<String, ArrayNode> callersList) {
        for (FeatureKind kind : List.of(FeatureKind.RESOURCE, FeatureKind.RESOURCE_TEMPLATE)) {
            ensureDiscovered(a, server, kind);
            listOnCallersSession(a, server, kind, callersList);
        }
        GatewayFeatures g = views.view().gateway(a.gatewayId());
        ServerFeatures sf = g.server(server.id());
        List<FeatureState> templates = new ArrayList<>();
        for (FeatureState t : sf.all(FeatureKind.RESOURCE_TEMPLATE)) {
            if (!t.placeholder() && (t.name().equals(uri) || matches.test(t.name()))) {
                templates.add(t);
            }
        }
        Decision d = ProvisioningPolicy.decideUri(g.settings(), sf.get(FeatureKind.RESOURCE, uri), templates);
        return d.exposed();
    }

    /** A kind still unknown after discovery (not listed in the background) is recorded from the caller's own list. */
    private void listOnCallersSession(Assignment a, ServerDef server, FeatureKind kind, Function<String, ArrayNode> callersList) {
        if (callersList != null && !views.view().gateway(a.gatewayId()).server(server.id()).discovered(kind)) {
            ArrayNode items = callersList.apply(kind.listKey());
            if (items != null) {
                admitList(a, server, kind.listKey(), items);
            }
        }
    }

    /**
     * What is there when a server was first assigned is approved by that act; so before the data
     * plane records anything of a server, discovery lists it completely on its own session.
     */
    private void ensureDiscovered(Assignment a, ServerDef server, FeatureKind kind) {
        if (!views.view().gateway(a.gatewayId()).server(server.id()).discovered(kind)) {
            discovery.discoverNow(server);
        }
    }
}
