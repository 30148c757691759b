package gatehouse.gateway.protocol;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which protocol generation a POSTed message belongs to, and the checks the 2026-07-28 revision
 * puts on a stateless request before anything else looks at it: the per-request {@code _meta}
 * envelope and the {@code MCP-Protocol-Version} / {@code Mcp-Method} / {@code Mcp-Name} headers.
 * Pure functions of the headers and the parsed body, so they are tested alone.
 *
 * <p>The body decides, the headers cross-check: a request whose {@code _meta} names a protocol
 * version (the "claim") is served in that version's generation; a request without a claim is
 * 2025-era traffic unless its {@code MCP-Protocol-Version} header names a stateless revision, in
 * which case the missing envelope is an error rather than a silent downgrade.
 */
public final class StatelessEnvelope {
    public static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    public static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    public static final String CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    public static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
    public static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    public static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

    /** Log levels in increasing severity (RFC 5424 names, as MCP uses them). */
    public static final List<String> LOG_LEVELS = List.of("debug", "info", "notice", "warning", "error", "critical", "alert",
            "emergency");

    /** Methods whose {@code Mcp-Name} header mirrors a body field, and which field. */
    private static final Map<String, String> NAME_SOURCE = Map.of("tools/call", "name", "prompts/get", "name",
            "resources/read", "uri");

    private static final String SENTINEL_PREFIX = "=?base64?";
    private static final String SENTINEL_SUFFIX = "?=";
    private static final Pattern CANONICAL_BASE64 =
            Pattern.compile("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");

    private StatelessEnvelope() {
    }

    /** The routing headers of one HTTP request, with optional whitespace removed (RFC 9110 §5.5). */
    public record Headers(String protocolVersion, String method, String name, boolean hasSession) {
        public Headers {
            protocolVersion = strip(protocolVersion);
            method = strip(method);
            name = strip(name);
        }

        private static String strip(String v) {
            return v == null ? null : v.strip();
        }
    }

    /** What a POSTed message is. */
    public sealed interface Classification permits Sessionful, Stateless, Refused {
    }

    /** 2025-era traffic: it needs (or opens, with initialize) an {@code Mcp-Session-Id} session. */
    public record Sessionful() implements Classification {
    }

    /** A stateless request or notification in revision {@code version}; {@code meta} is its envelope (may be empty for notifications). */
    public record Stateless(String version, ObjectNode meta) implements Classification {
    }

    /** Refused before dispatch, with the HTTP status and JSON-RPC error the revision prescribes. */
    public record Refused(int status, int code, String message, JsonNode data) implements Classification {
    }

    public static Classification classify(Headers headers, ObjectNode msg) {
        if (headers.hasSession() || JsonRpc.isResponse(msg)) {
            return new Sessionful();
        }
        String method = JsonRpc.method(msg);
        ObjectNode params = JsonRpc.params(msg);
        ObjectNode meta = params != null && params.get("_meta") instanceof ObjectNode m ? m : null;
        boolean claim = meta != null && meta.has(PROTOCOL_VERSION);
        boolean headerStateless = ProtocolVersions.stateless(headers.protocolVersion());
        if ("initialize".equals(method) && !(claim && envelopeProblems(meta).isEmpty()
                && ProtocolVersions.stateless(meta.get(PROTOCOL_VERSION).asString("")))) {
            // initialize is the 2025 handshake by definition, unless it carries a valid stateless
            // envelope, in which case the stateless generation answers it: method not found.
            if (headerStateless) {
                return mismatch("an initialize request (the 2025 handshake) was sent with MCP-Protocol-Version "
                        + headers.protocolVersion());
            }
            return new Sessionful();
        }
        if (claim) {
            List<String> problems = envelopeProblems(meta);
            if (!problems.isEmpty() && JsonRpc.isRequest(msg)) {
                return invalidEnvelope("Invalid _meta envelope: " + String.join("; ", problems), problems);
            }
            JsonNode v = meta.get(PROTOCOL_VERSION);
            String version = v.isString() ? v.stringValue() : "";
            if (headers.protocolVersion() != null && !headers.protocolVersion().equals(version)) {
                return mismatch("the body's _meta names protocol version " + version + " but the MCP-Protocol-Version header names "
                        + headers.protocolVersion());
            }
            if (headers.method() != null && !headers.method().equals(method)) {
                return mismatch("the body names method " + method + " but the Mcp-Method header names " + headers.method());
            }
            return ProtocolVersions.stateless(version) ? new Stateless(version, meta) : new Sessionful();
        }
        if (!headerStateless) {
            return new Sessionful();
        }
        if (JsonRpc.isNotification(msg)) {
            // Notifications carry no envelope of their own; the header decides for them.
            if (headers.method() != null && !headers.method().equals(method)) {
                return mismatch("the body names method " + method + " but the Mcp-Method header names " + headers.method());
            }
            return new Stateless(headers.protocolVersion(), Json.object());
        }
        List<String> missing = new ArrayList<>();
        if (meta == null) {
            missing.add("_meta");
        } else {
            missing.add(PROTOCOL_VERSION);
            if (!meta.has(CLIENT_CAPABILITIES)) {
                missing.add(CLIENT_CAPABILITIES);
            }
        }
        return invalidEnvelope("Invalid params: MCP-Protocol-Version names " + headers.protocolVersion()
                + ", which needs a per-request _meta envelope, but the request lacks " + String.join(", ", missing), missing);
    }

    /**
     * The checks on a stateless request that come after classification, in the order the
     * revision gives: the version must be one Gatehouse serves (else the supported list), then the
     * standard headers must be present and agree with the body. Null when the request passes.
     */
    public static Refused check(Headers headers, ObjectNode msg, String version) {
        if (!ProtocolVersions.STATELESS.contains(version)) {
            ObjectNode data = Json.object();
            data.set("supported", Json.MAPPER.valueToTree(ProtocolVersions.STATELESS));
            data.put("requested", version);
            return new Refused(400, JsonRpc.UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version " + version
                    + "; this gateway serves " + String.join(", ", ProtocolVersions.STATELESS) + " statelessly and "
                    + String.join(", ", ProtocolVersions.SESSIONFUL) + " with initialize", data);
        }
        if (!JsonRpc.isRequest(msg)) {
            return null; // the header presence rules are for requests
        }
        String method = JsonRpc.method(msg);
        if (headers.protocolVersion() == null) {
            return mismatch("the required MCP-Protocol-Version header is missing");
        }
        if (headers.method() == null) {
            return mismatch("the required Mcp-Method header is missing (the body names " + method + ")");
        }
        String field = NAME_SOURCE.get(method);
        if (field == null) {
            return null;
        }
        ObjectNode params = JsonRpc.params(msg);
        JsonNode bodyValue = params == null ? null : params.get(field);
        String body = bodyValue != null && bodyValue.isString() ? bodyValue.stringValue() : null;
        if (headers.name() == null) {
            return body == null ? null : mismatch("the body carries params." + field + " = \"" + body
                    + "\" but the required Mcp-Name header is missing");
        }
        String decoded = decodeHeaderValue(headers.name());
        if (decoded == null) {
            return mismatch("the Mcp-Name header carries an invalid =?base64?…?= value");
        }
        if (body != null && !decoded.equals(body)) {
            return mismatch("the body carries params." + field + " = \"" + body + "\" but the Mcp-Name header names \""
                    + decoded + "\"");
        }
        return null;
    }

    /** Problems with a present envelope, in a stable order; empty when it is valid. */
    static List<String> envelopeProblems(ObjectNode meta) {
        List<String> problems = new ArrayList<>();
        JsonNode v = meta.get(PROTOCOL_VERSION);
        if (v == null) {
            problems.add(PROTOCOL_VERSION + " is missing");
        } else if (!v.isString() || v.stringValue().isEmpty()) {
            problems.add(PROTOCOL_VERSION + " must be a non-empty string");
        }
        JsonNode caps = meta.get(CLIENT_CAPABILITIES);
        if (caps == null) {
            problems.add(CLIENT_CAPABILITIES + " is missing");
        } else if (!caps.isObject()) {
            problems.add(CLIENT_CAPABILITIES + " must be an object");
        }
        JsonNode info = meta.get(CLIENT_INFO);
        if (info != null && !(info.isObject() && info.path("name").isString() && info.path("version").isString())) {
            problems.add(CLIENT_INFO + " must be an object with name and version");
        }
        JsonNode level = meta.get(LOG_LEVEL);
        if (level != null && !(level.isString() && LOG_LEVELS.contains(level.stringValue()))) {
            problems.add(LOG_LEVEL + " must be one of " + LOG_LEVELS);
        }
        return problems;
    }

    /**
     * A header value as the revision encodes it: plain, or {@code =?base64?…?=} around the UTF-8
     * bytes in canonical (padded) base64. Null when the encoding is broken.
     */
    public static String decodeHeaderValue(String value) {
        if (!(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX)
                && value.length() >= SENTINEL_PREFIX.length() + SENTINEL_SUFFIX.length())) {
            return value;
        }
        String b64 = value.substring(SENTINEL_PREFIX.length(), value.length() - SENTINEL_SUFFIX.length());
        if (!CANONICAL_BASE64.matcher(b64).matches()) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(b64);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }

    /** Encodes a header value: plain when it is visible ASCII without surrounding space, else the base64 form. */
    public static String encodeHeaderValue(String value) {
        boolean plain = !value.isEmpty() && value.equals(value.strip())
                && !(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX));
        for (int i = 0; plain && i < value.length(); i++) {
            char c = value.charAt(i);
            plain = c == '\t' || (c >= 0x20 && c <= 0x7e);
        }
        return plain ? value : SENTINEL_PREFIX + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
                + SENTINEL_SUFFIX;
    }

    /** The client capabilities a request declared (empty when none). */
    public static ObjectNode clientCapabilities(ObjectNode meta) {
        return meta != null && meta.get(CLIENT_CAPABILITIES) instanceof ObjectNode caps ? caps : Json.object();
    }

    /** Whether {@code level} is at or above {@code threshold}; false when either is unknown. */
    public static boolean logLevelAtLeast(String level, String threshold) {
        int l = LOG_LEVELS.indexOf(level);
        int t = LOG_LEVELS.indexOf(threshold);
        return l >= 0 && t >= 0 && l >= t;
    }

    /** The methods the stateless revision removed, which a stateless client gets method-not-found for. */
    public static final Set<String> REMOVED_METHODS = Set.of("initialize", "ping", "logging/setLevel", "resources/subscribe",
            "resources/unsubscribe", "notifications/initialized");

    private static Refused mismatch(String why) {
        ObjectNode data = Json.object();
        data.put("reason", why);
        return new Refused(400, JsonRpc.HEADER_MISMATCH, "Bad Request: headers and body disagree: " + why, data);
    }

    private static Refused invalidEnvelope(String message, List<String> problems) {
        ObjectNode data = Json.object();
        data.set("envelope", Json.MAPPER.valueToTree(problems));
        return new Refused(400, JsonRpc.INVALID_PARAMS, message, data);
    }
}
