package gatehouse.gateway.transport;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.springframework.stereotype.Component;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.platform.GatehouseProperties;

/** Step 1 of the pipeline: checks that need nothing but the HTTP request itself. */
@Component
public class TransportGuard {
    private final String publicOrigin;
    private final List<String> allowedOrigins;
    private final boolean loopbackOrigins;

    @org.springframework.beans.factory.annotation.Autowired
    public TransportGuard(GatehouseProperties props,
                          @org.springframework.beans.factory.annotation.Value("${gatehouse.mcp.loopback-origins-allowed:false}")
                          boolean loopbackOrigins) {
        this.publicOrigin = origin(props.publicUrl());
        this.allowedOrigins = props.mcp().allowedOrigins().stream().map(TransportGuard::origin).toList();
        this.loopbackOrigins = loopbackOrigins;
    }

    public TransportGuard(GatehouseProperties props) {
        this(props, false);
    }

    /**
     * DNS-rebinding and cross-site defence: a browser page on another site must not reach a
     * gateway on localhost or inside the network. Any page served from a loopback address (another
     * local app, a dev server) is another site too, so loopback origins pass only with
     * {@code gatehouse.mcp.loopback-origins-allowed}. Requests without Origin (non-browser
     * clients) pass.
     */
    public void checkOrigin(McpHttpRequest req) {
        String origin = req.header("Origin");
        if (origin == null || origin.isBlank()) {
            return;
        }
        String o = origin(origin);
        if (o.equals(publicOrigin) || allowedOrigins.contains(o) || (loopbackOrigins && isLoopback(o))) {
            return;
        }
        throw new HttpProblem(403, JsonRpc.INVALID_REQUEST, "Origin '" + origin + "' is not allowed; add it to "
                + "gatehouse.mcp.allowed-origins if this browser client is trusted");
    }

    public void checkPost(McpHttpRequest req) {
        String accept = req.header("Accept");
        if (accept != null && !accept.contains("*/*")
                && !(accept.contains("application/json") && accept.contains("text/event-stream"))) {
            throw new HttpProblem(406, JsonRpc.INVALID_REQUEST,
                    "Accept must list both application/json and text/event-stream (got '" + accept + "')");
        }
        String type = req.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new HttpProblem(415, JsonRpc.INVALID_REQUEST, "Content-Type must be application/json (got '" + type + "')");
        }
        checkVersionHeader(req);
    }

    public void checkGet(McpHttpRequest req) {
        String accept = req.header("Accept");
        if (accept == null || !(accept.contains("text/event-stream") || accept.contains("*/*"))) {
            throw new HttpProblem(406, JsonRpc.INVALID_REQUEST, "GET opens an event stream: Accept must list text/event-stream");
        }
        if (ProtocolVersions.stateless(req.header("MCP-Protocol-Version"))) {
            // 2026-07-28 removed the GET stream; its clients open subscriptions/listen with a POST.
            throw new HttpProblem(405, JsonRpc.INVALID_REQUEST, "Protocol " + req.header("MCP-Protocol-Version")
                    + " has no GET stream: POST subscriptions/listen instead", java.util.Map.of("Allow", "POST"));
        }
        checkVersionHeader(req);
    }

    public void checkVersionHeader(McpHttpRequest req) {
        String v = req.header("MCP-Protocol-Version");
        // A stateless (2026-07-28 and later) version is checked once the body is read, so that the
        // refusal can carry the request's id and the supported list the spec asks for.
        if (v != null && !ProtocolVersions.supported(v) && !ProtocolVersions.stateless(v.strip())) {
            throw new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Unsupported MCP-Protocol-Version '" + v + "'; supported: "
                    + String.join(", ", ProtocolVersions.SESSIONFUL));
        }
    }

    private static boolean isLoopback(String origin) {
        try {
            String host = URI.create(origin).getHost();
            return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String origin(String url) {
        try {
            URI u = URI.create(url.trim());
            if (u.getScheme() == null || u.getHost() == null) {
                return url.trim().toLowerCase(Locale.ROOT);
            }
            int port = u.getPort();
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (IllegalArgumentException e) {
            return url.trim().toLowerCase(Locale.ROOT);
        }
    }
}
