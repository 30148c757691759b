package gatehouse.gateway.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.upstream.CredentialUnusableException;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fan-out, merge and name routing for one gateway's assigned servers. What a gateway exposes is
 * not decided here: lists pass each server's part through a {@link ListFilter} and routes are
 * vetted by the pipeline's steps (provisioning) before any call goes out.
 */
@Component
public class Router {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final Upstreams upstreams;
    /**
     * The last prefixed copy of each assignment's list part, reused while the admitted part is the
     * very same array (upstream lists are cached, the steps' filters return the same array while
     * nothing changed): a list of many tools is not copied item by item on every call. Items are
     * never changed in place once listed (a step that changes a message copies it).
     */
    private final java.util.Map<Assignment, java.util.Map<String, Renamed>> renamed = new java.util.concurrent.ConcurrentHashMap<>();

    private record Renamed(ArrayNode source, String prefix, ArrayNode out) {
    }

    public Router(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    /**
     * Result of a merged list: each assignment's admitted part in gateway order (null for a server
     * that could not answer), and the servers that could not answer. The parts are the very arrays
     * the upstream sessions' caches and the steps' filters returned, so the same parts mean the same
     * list; the merge itself is made on first use.
     */
    public static final class Merged {
        private final List<ArrayNode> parts;
        private final List<String> failures;
        private final String kind;
        private final String gatewayId;
        private ArrayNode items;

        Merged(List<ArrayNode> parts, List<String> failures, String kind, String gatewayId) {
            ArrayNode[] filled = new ArrayNode[parts.size()];
            for (int i = 0; i < filled.length; i++) {
                ArrayNode p = parts.get(i);
                filled[i] = p == null ? NONE : p;
            }
            this.parts = List.of(filled);
            this.failures = failures.isEmpty() ? List.of() : List.copyOf(failures);
            this.kind = kind;
            this.gatewayId = gatewayId;
        }

        /** The parts, in gateway order (an empty array for a server that could not answer). */
        public List<ArrayNode> parts() {
            return parts;
        }

        public List<String> failures() {
            return failures;
        }

        /** The merged items: each key once, the first server in gateway order winning. */
        public synchronized ArrayNode items() {
            if (items == null) {
                items = merge();
            }
            return items;
        }

        private ArrayNode merge() {
            ArrayNode merged = Json.array();
            Set<String> seen = new HashSet<>();
            for (ArrayNode part : parts) {
                for (JsonNode item : part) {
                    String key = item.path(keyField(kind)).asString("");
                    if (seen.add(key)) {
                        merged.add(item);
                    } else {
                        log.warn("gateway {}: duplicate {} '{}' hidden; give one of the servers a prefix", gatewayId, kind, key);
                    }
                }
            }
            return merged;
        }
    }

    /** Stands for a missing part (never handed out to be changed). */
    private static final ArrayNode NONE = Json.array();

    /**
     * Lists {@code kind} ({@code tools}, {@code prompts}, {@code resources},
     * {@code resourceTemplates}) across the gateway, prefixing tool and prompt names. An
     * unreachable server drops out of the list; it does not fail the whole list. Servers whose list
     * is cached are read on the calling thread; the others are asked in parallel.
     */
    public Merged list(CatalogSnapshot catalog, DownstreamSession session, String kind, ListFilter filter) {
        List<Assignment> assignments = catalog.assignments(session.gatewayId());
        List<ArrayNode> parts = new ArrayList<>(assignments.size());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < assignments.size(); i++) {
            parts.add(null);
        }
        List<Thread> threads = null; // none while every part is cached (the usual case)
        for (int i = 0; i < assignments.size(); i++) {
            int index = i;
            Assignment a = assignments.get(i);
            UpstreamSession open = session.openUpstream(a.serverId());
            if (assignments.size() == 1 || (open != null && open.listCached(kind))) {
                collect(catalog, session, kind, filter, a, parts, failures, index);
            } else {
                threads = threads == null ? new ArrayList<>() : threads;
                threads.add(Thread.ofVirtual().start(() -> collect(catalog, session, kind, filter, a, parts, failures, index)));
            }
        }
        for (Thread t : threads == null ? List.<Thread>of() : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new McpException(JsonRpc.INTERNAL_ERROR, "interrupted");
            }
        }
        synchronized (parts) {
            return new Merged(parts, failures, kind, session.gatewayId());
        }
    }

    private void collect(CatalogSnapshot catalog, DownstreamSession session, String kind, ListFilter filter, Assignment a,
                         List<ArrayNode> parts, List<String> failures, int index) {
        ServerDef server = catalog.servers().get(a.serverId());
        try {
            UpstreamSession up = session.upstream(server);
            if (!up.hasCapability(capabilityOf(kind))) {
                setPart(parts, index, NONE);
                return;
            }
            // What the gateway does not expose is left out here, before the merge, as if the server
            // did not have it.
            ArrayNode items = filter.admit(a, server, kind, up.list(kind, upstreams.callTimeout()));
            boolean rename = ("tools".equals(kind) || "prompts".equals(kind)) && !a.prefix().isEmpty();
            setPart(parts, index, rename ? prefixed(a, kind, items) : items);
        } catch (RuntimeException e) {
            synchronized (failures) {
                failures.add(server.name() + ": " + e.getMessage());
            }
            log.info("gateway {}: {} of server {} left out: {}", session.gatewayId(), kind, server.name(), e.getMessage());
        }
    }

    private ArrayNode prefixed(Assignment a, String kind, ArrayNode items) {
        java.util.Map<String, Renamed> ofAssignment = renamed.get(a);
        Renamed last = ofAssignment == null ? null : ofAssignment.get(kind);
        if (last != null && last.source() == items && last.prefix().equals(a.prefix())) {
            return last.out();
        }
        ArrayNode out = Json.array();
        for (JsonNode item : items) {
            if (item instanceof ObjectNode o) {
                ObjectNode copy = o.deepCopy();
                copy.put("name", a.expose(o.path("name").asString()));
                out.add(copy);
            } else {
                out.add(item);
            }
        }
        if (renamed.size() > 2_500) {
            renamed.clear(); // assignments come and go; the memo only has to hold the current ones
        }
        renamed.computeIfAbsent(a, k -> new java.util.concurrent.ConcurrentHashMap<>()).put(kind, new Renamed(items, a.prefix(), out));
        return out;
    }

    private static void setPart(List<ArrayNode> parts, int index, ArrayNode value) {
        synchronized (parts) {
            if (parts.size() <= index) {
                parts.add(value);
            } else {
                parts.set(index, value);
            }
        }
    }

    static String keyField(String kind) {
        return switch (kind) {
            case "resources" -> "uri";
            case "resourceTemplates" -> "uriTemplate";
            default -> "name";
        };
    }

    static String capabilityOf(String kind) {
        return switch (kind) {
            case "tools" -> "tools";
            case "prompts" -> "prompts";
            default -> "resources";
        };
    }

    /**
     * Finds the server behind an exposed tool or prompt name. Unknown names get the same error
     * whatever the reason, so a caller learns nothing about what exists (the provisioning step
     * answers a hidden one with {@link #notFound} too).
     */
    public Route routeName(CatalogSnapshot catalog, DownstreamSession session, String kind, String exposed) {
        Route route = findName(catalog, session, kind, exposed);
        // A personal server the caller has no credential for says so (what to do), for any name under
        // its prefix: that reveals the server, which lists name too, and nothing about its tools.
        session.requireIdentity(route.server());
        return route;
    }

    private Route findName(CatalogSnapshot catalog, DownstreamSession session, String kind, String exposed) {
        if (exposed == null || exposed.isEmpty()) {
            throw notFound(kind, exposed);
        }
        List<Assignment> assignments = catalog.assignments(session.gatewayId());
        int sep = exposed.indexOf(Assignment.SEPARATOR);
        if (sep > 0) {
            String prefix = exposed.substring(0, sep);
            for (Assignment a : assignments) {
                if (a.prefix().equals(prefix)) {
                    Route route = new Route(a, catalog.servers().get(a.serverId()), exposed.substring(sep + Assignment.SEPARATOR.length()));
                    if (!listedUpstream(session, route, kind)) {
                        throw notFound(kind, exposed); // not the upstream's own error: it would name what exists
                    }
                    return route;
                }
            }
        }
        CredentialUnusableException unlisted = null;
        for (Assignment a : assignments) {
            if (!a.prefix().isEmpty()) {
                continue;
            }
            ServerDef server = catalog.servers().get(a.serverId());
            try {
                UpstreamSession up = session.upstream(server);
                for (JsonNode item : up.list(kind, upstreams.callTimeout())) {
                    if (exposed.equals(item.path("name").asString())) {
                        return new Route(a, server, exposed);
                    }
                }
            } catch (CredentialUnusableException e) {
                unlisted = unlisted == null ? e : unlisted;
            } catch (RuntimeException e) {
                log.debug("while routing {}: {}", exposed, e.getMessage());
            }
        }
        throw unlistedOr(unlisted, notFound(kind, exposed));
    }

    /**
     * A name or URI no server lists, while a server that might have it could not be listed for want
     * of the caller's credential: the caller is told what to do about that credential (the first such
     * server, in gateway order) rather than "unknown", so the consent step can ask for it and the
     * request be routed again. That reveals the server, which lists name too, and nothing of its tools.
     */
    private static McpException unlistedOr(CredentialUnusableException unlisted, McpException notFound) {
        return unlisted != null ? unlisted : notFound;
    }

    /**
     * Whether the server lists the name (its list is cached). An unreachable server counts as
     * listing it, so the call goes on to fail with the reason the server is unavailable.
     */
    private boolean listedUpstream(DownstreamSession session, Route route, String kind) {
        ArrayNode items;
        try {
            items = session.upstream(route.server()).list(kind, upstreams.callTimeout());
        } catch (RuntimeException e) {
            return true;
        }
        for (JsonNode item : items) {
            if (route.upstreamName().equals(item.path("name").asString())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Finds the server that owns a resource URI: by its lists first, then by its templates. A URI
     * the gateway does not expose gets the same answer as one that does not exist.
     */
    public Route routeUri(CatalogSnapshot catalog, DownstreamSession session, String uri) {
        return findUri(catalog, session, uri);
    }

    private Route findUri(CatalogSnapshot catalog, DownstreamSession session, String uri) {
        if (uri == null || uri.isEmpty()) {
            throw new McpException(JsonRpc.INVALID_PARAMS, "params.uri is required");
        }
        List<Assignment> assignments = catalog.assignments(session.gatewayId());
        Route byTemplate = null;
        CredentialUnusableException unlisted = null;
        for (Assignment a : assignments) {
            ServerDef server = catalog.servers().get(a.serverId());
            try {
                UpstreamSession up = session.upstream(server);
                if (!up.hasCapability("resources")) {
                    continue;
                }
                for (JsonNode r : up.list("resources", upstreams.callTimeout())) {
                    if (uri.equals(r.path("uri").asString())) {
                        return new Route(a, server, uri);
                    }
                }
                if (byTemplate == null) {
                    for (JsonNode t : up.list("resourceTemplates", upstreams.callTimeout())) {
                        if (UriTemplates.matches(t.path("uriTemplate").asString(""), uri)) {
                            byTemplate = new Route(a, server, uri);
                            break;
                        }
                    }
                }
            } catch (CredentialUnusableException e) {
                unlisted = unlisted == null ? e : unlisted;
            } catch (RuntimeException e) {
                log.debug("while routing {}: {}", uri, e.getMessage());
            }
        }
        if (byTemplate != null) {
            return byTemplate;
        }
        throw unlistedOr(unlisted, resourceNotFound(uri));
    }

    /** The answer for a URI that is not there or not exposed: the same either way. */
    public static McpException resourceNotFound(String uri) {
        return new McpException(JsonRpc.RESOURCE_NOT_FOUND, "Resource not found: " + uri, uriData(uri));
    }

    private static JsonNode uriData(String uri) {
        ObjectNode d = Json.object();
        d.put("uri", uri);
        return d;
    }

    /** The answer for a tool or prompt name that is not there or not exposed: the same either way. */
    public static McpException notFound(String kind, String name) {
        return switch (kind) {
            case "tools" -> new McpException(JsonRpc.INVALID_PARAMS, "Unknown tool: " + name);
            case "prompts" -> new McpException(JsonRpc.INVALID_PARAMS, "Unknown prompt: " + name);
            default -> new McpException(JsonRpc.INVALID_PARAMS, "Unknown " + kind + ": " + name);
        };
    }
}
