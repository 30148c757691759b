package gatehouse.gateway.upstream;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateless upstream's {@code subscriptions/listen} stream: what the 2025 GET stream and
 * {@code resources/subscribe} were. Its filter asks for the list changes the server announces and
 * the resources subscribed to; a change of subscriptions reopens it with the new filter.
 */
final class ListenStream {
    private static final Logger log = LoggerFactory.getLogger(ListenStream.class);

    private final HttpExchange io;
    private final ObjectNode capabilities;
    private final Consumer<ObjectNode> onMessage;
    private final Set<String> subscriptions = new TreeSet<>();

    /** {@code capabilities}: the server's, from {@code server/discover}; {@code onMessage} gets each notification. */
    ListenStream(HttpExchange io, ObjectNode capabilities, Consumer<ObjectNode> onMessage) {
        this.io = io;
        this.capabilities = capabilities;
        this.onMessage = onMessage;
    }

    /** Adds ({@code subscribe}) or removes a resource subscription; the stream reopens when that changed it. */
    void subscription(String uri, boolean subscribe) {
        synchronized (subscriptions) {
            if (subscribe ? subscriptions.add(uri) : subscriptions.remove(uri)) {
                start();
            }
        }
    }

    /**
     * Whether changes of {@code kind} lists reach this session (a stream is open and asks for them);
     * without a stream, cached lists go by the upstream's declared freshness.
     */
    boolean announces(String kind) {
        if (!io.listening()) {
            return false;
        }
        ObjectNode filter = filter();
        return switch (kind) {
            case "tools" -> filter.has("toolsListChanged");
            case "prompts" -> filter.has("promptsListChanged");
            default -> filter.has("resourcesListChanged");
        };
    }

    ObjectNode filter() {
        ObjectNode filter = Json.object();
        if (capabilities.path("tools").path("listChanged").asBoolean(false)) {
            filter.put("toolsListChanged", true);
        }
        if (capabilities.path("prompts").path("listChanged").asBoolean(false)) {
            filter.put("promptsListChanged", true);
        }
        if (capabilities.path("resources").path("listChanged").asBoolean(false)) {
            filter.put("resourcesListChanged", true);
        }
        synchronized (subscriptions) {
            if (!subscriptions.isEmpty() && capabilities.path("resources").path("subscribe").asBoolean(false)) {
                filter.set("resourceSubscriptions", Json.MAPPER.valueToTree(subscriptions));
            }
        }
        return filter;
    }

    /** (Re)opens the stream with the current filter; nothing to ask for, no stream. */
    void start() {
        ObjectNode filter = filter();
        if (filter.isEmpty() || io.closed()) {
            io.stopListening();
            return;
        }
        HttpUpstreamConfig config = io.config();
        io.listen(lastEventId -> {
            ObjectNode params = Json.object();
            params.set("_meta", StatelessHttpUpstream.envelope(config.clientInit(), null));
            params.set("notifications", filter);
            HttpRequest req = StatelessHttpUpstream.stateless(io.post(Json.bytes(JsonRpc.request("gatehouse-listen", "subscriptions/listen", params))))
                    .header("Mcp-Method", "subscriptions/listen").timeout(config.connectTimeout()).build();
            HttpResponse<InputStream> resp = config.http().send(req, HttpResponse.BodyHandlers.ofInputStream());
            String type = resp.headers().firstValue("Content-Type").orElse("");
            if (resp.statusCode() == 200 && type.startsWith("application/json")) {
                InputStream lines = JsonLinesAsSse.ifStream(resp.body(), config.maxMessageBytes()); // one message per line
                if (lines == null) {
                    log.debug("upstream {} answered subscriptions/listen without a stream", config.name());
                }
                return lines;
            }
            if (resp.statusCode() != 200 || !type.startsWith("text/event-stream")) {
                resp.body().close();
                log.debug("upstream {} offers no subscriptions/listen stream (HTTP {})", config.name(), resp.statusCode());
                return null;
            }
            return resp.body();
        }, m -> JsonRpc.isNotification(m) && !"notifications/subscriptions/acknowledged".equals(JsonRpc.method(m)), m -> {
            if (m.path("params").get("_meta") instanceof ObjectNode meta) {
                meta.remove(StatelessEnvelope.SUBSCRIPTION_ID);
                if (meta.isEmpty()) {
                    ((ObjectNode) m.get("params")).remove("_meta");
                }
            }
            onMessage.accept(m);
        });
    }
}
