package gatehouse.identity;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Gatehouse keeps (sealed) for an upstream OAuth credential: the tokens and everything a
 * refresh needs, so a refresh never has to discover the upstream again.
 */
record UpstreamTokens(String accessToken, String refreshToken, String tokenEndpoint, String clientId,
                      String clientSecret, String resource, String issuer) {

    String toJson() {
        ObjectNode o = Json.object();
        o.put("access_token", accessToken);
        put(o, "refresh_token", refreshToken);
        o.put("token_endpoint", tokenEndpoint);
        o.put("client_id", clientId);
        put(o, "client_secret", clientSecret);
        put(o, "resource", resource);
        put(o, "issuer", issuer);
        return Json.string(o);
    }

    static UpstreamTokens parse(String json) {
        JsonNode n = Json.tree(json);
        return new UpstreamTokens(n.path("access_token").asString(), text(n, "refresh_token"), n.path("token_endpoint").asString(),
                n.path("client_id").asString(), text(n, "client_secret"), text(n, "resource"), text(n, "issuer"));
    }

    private static void put(ObjectNode o, String k, String v) {
        if (v != null) {
            o.put(k, v);
        }
    }

    private static String text(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v == null || v.isNull() ? null : v.asString();
    }

    @Override
    public String toString() {
        return "UpstreamTokens[" + tokenEndpoint + ", client " + clientId + "]";
    }
}
