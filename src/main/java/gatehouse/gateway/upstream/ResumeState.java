package gatehouse.gateway.upstream;

import tools.jackson.databind.node.ObjectNode;

/**
 * What another process needs to carry on an upstream's Streamable HTTP session without a new
 * handshake: the endpoint it was made with, the {@code Mcp-Session-Id} the upstream issued, the
 * negotiated version and the upstream's answer to initialize. Written to the database with the
 * client's session so a replica that takes the client over re-attaches instead of starting afresh.
 */
public record ResumeState(String url, String sessionId, String protocolVersion, ObjectNode initializeResult) {
    public ResumeState {
        if (url == null || url.isBlank() || sessionId == null || sessionId.isBlank()) {
            throw new IllegalArgumentException("a resumable upstream session needs its url and session id");
        }
        if (initializeResult == null) {
            throw new IllegalArgumentException("a resumable upstream session needs the upstream's initialize result");
        }
    }
}
