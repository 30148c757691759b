package gatehouse.gateway.steps;

import org.springframework.stereotype.Component;

import gatehouse.catalog.features.FeatureGate;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.routing.Route;
import gatehouse.gateway.routing.Router;
import gatehouse.gateway.routing.UriTemplates;
import tools.jackson.databind.node.ArrayNode;

/**
 * Provisioning: a gateway shows and routes only the features it exposes (approved, enabled, not
 * quarantined). Lists lose the others before the merge, as if the server did not have them (which
 * also feeds the rug-pull comparison); a call to one is answered exactly like a call to a name that
 * does not exist, so nobody learns what is there.
 */
@Component
public class ProvisioningStep implements Step {
    private final FeatureGate gate;

    public ProvisioningStep(FeatureGate gate) {
        this.gate = gate;
    }

    @Override
    public String name() {
        return "provisioning";
    }

    @Override
    public ArrayNode onList(Exchange exchange, ListPart part) {
        return gate.admitList(part.assignment(), part.server(), part.kind(), part.items());
    }

    @Override
    public Verdict beforeUpstream(Exchange exchange) {
        Route route = exchange.route();
        String kind = exchange.featureKind();
        String target = exchange.target();
        if (route == null || kind == null) {
            return Verdict.pass();
        }
        if (kind.equals("resources")) {
            return gate.admitUri(route.assignment(), route.server(), target, template -> UriTemplates.matches(template, target),
                    listKey -> exchange.listOnCallersSession(route.server(), listKey))
                    ? Verdict.pass() : hidden(Router.resourceNotFound(target));
        }
        return gate.admitName(route.assignment(), route.server(), kind, route.upstreamName(),
                listKey -> exchange.listOnCallersSession(route.server(), listKey))
                ? Verdict.pass() : hidden(Router.notFound(kind, target));
    }

    /** The same answer as for something that does not exist; nothing to record beyond the status. */
    private static Verdict hidden(McpException notFound) {
        return new Verdict.Deny(notFound.code(), notFound.getMessage(), notFound.data(), java.util.List.of());
    }
}
