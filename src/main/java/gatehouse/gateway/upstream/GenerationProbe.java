package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Finds out whether a Streamable HTTP server speaks the stateless generation
 * ({@value ProtocolVersions#LATEST_STATELESS}) by asking {@code server/discover}, and reads its
 * answer the way the rest of Gatehouse reads an {@code initialize} result.
 */
final class GenerationProbe {
    private GenerationProbe() {
    }

    /**
     * The {@code server/discover} result when the server lists {@value ProtocolVersions#LATEST_STATELESS};
     * null when it answers like a 2025 server (a 4xx or a JSON-RPC error: it does not know the
     * method). Authentication failures, 5xx and an unreachable server are errors, never a verdict.
     */
    static ObjectNode discover(HttpUpstreamConfig config) {
        HttpExchange io = new HttpExchange(config);
        ObjectNode params = Json.object();
        params.set("_meta", StatelessHttpUpstream.envelope(config.clientInit(), null));
        ObjectNode request = JsonRpc.request("gatehouse-discover", "server/discover", params);
        MessageClient.Response resp = io.postMessage(Json.bytes(request), List.of("MCP-Protocol-Version", ProtocolVersions.LATEST_STATELESS,
                "Mcp-Method", "server/discover"), null, config.connectTimeout());
        int status = resp.status();
        String type = resp.header("Content-Type") == null ? "" : resp.header("Content-Type");
        try (InputStream in = resp.body()) {
            if (status == 401) {
                throw new UpstreamUnauthorizedException(config.name());
            }
            if (status == 403) {
                throw new UpstreamException("upstream '" + config.name() + "' refused Gatehouse's credentials (HTTP " + status + ")");
            }
            if (status >= 500) {
                throw new UpstreamException("upstream '" + config.name() + "' answered HTTP " + status);
            }
            if (status != 200) {
                return null;
            }
            JsonNode message = null;
            if (type.startsWith("text/event-stream")) {
                try (SseReader sse = new SseReader(in, config.maxMessageBytes())) {
                    SseReader.Event ev;
                    while ((ev = sse.next()) != null) {
                        JsonNode m = parse(ev.data());
                        if (m != null && m.has("id") && (m.has("result") || m.has("error"))) {
                            message = m;
                            break;
                        }
                    }
                }
            } else {
                message = parse(new String(io.readBody(in), StandardCharsets.UTF_8));
            }
            JsonNode result = message == null ? null : message.get("result");
            if (result instanceof ObjectNode r) {
                for (JsonNode v : r.path("supportedVersions")) {
                    if (ProtocolVersions.LATEST_STATELESS.equals(v.asString(null))) {
                        return r;
                    }
                }
            }
            return null;
        } catch (MessageTooLargeException e) {
            throw UpstreamIo.tooLarge(config.name(), config.maxMessageBytes());
        } catch (IOException e) {
            throw new UpstreamException("upstream '" + config.name() + "' broke off its server/discover answer: "
                    + UpstreamIo.describe(e), e);
        }
    }

    /** A discover result as an initialize result: version, capabilities, serverInfo, instructions. */
    static ObjectNode asInitializeResult(ObjectNode discover) {
        ObjectNode init = Json.object();
        init.put("protocolVersion", ProtocolVersions.LATEST_STATELESS);
        init.set("capabilities", discover.get("capabilities") instanceof ObjectNode c ? c.deepCopy() : Json.object());
        JsonNode info = discover.path("_meta").get(StatelessEnvelope.SERVER_INFO);
        if (info == null) {
            info = discover.get("serverInfo"); // before spec PR #3002
        }
        if (info instanceof ObjectNode i) {
            init.set("serverInfo", i.deepCopy());
        }
        if (discover.get("instructions") != null) {
            init.set("instructions", discover.get("instructions"));
        }
        return init;
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
    }
}
