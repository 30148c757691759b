package gatehouse.gateway.upstream;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request cannot go on because the credential its connection presents for one server is
 * unusable: missing, expired past refresh, revoked, or refused by the upstream just now (a 401 that
 * a refresh could not save). Answered as the JSON-RPC error saying whose credential failed and where
 * to renew it ({@code data.identity}, {@code data.server}, {@code data.renewUrl}); kept apart from
 * other errors so the pipeline can let the consent step ask the person to renew it and try once more.
 */
public class CredentialUnusableException extends McpException {
    private final String serverId;
    private final String state;
    private final String renewUrl;

    public CredentialUnusableException(String serverId, String serverName, String state, String reason, String renewUrl) {
        super(JsonRpc.UPSTREAM_ERROR, reason, data(serverName, state, renewUrl));
        this.serverId = serverId;
        this.state = state;
        this.renewUrl = renewUrl;
    }

    private static ObjectNode data(String serverName, String state, String renewUrl) {
        ObjectNode data = Json.object().put("identity", state).put("server", serverName);
        if (renewUrl != null) {
            data.put("renewUrl", renewUrl);
        }
        return data;
    }

    public String serverId() {
        return serverId;
    }

    /** {@code missing}, {@code refresh-failed}, {@code rejected} or {@code revoked}. */
    public String state() {
        return state;
    }

    /** The page where the person renews it (their own credential), else null: an administrator's to fix. */
    public String renewUrl() {
        return renewUrl;
    }
}
