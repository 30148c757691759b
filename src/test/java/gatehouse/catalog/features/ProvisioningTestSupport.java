package gatehouse.catalog.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;

import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;

/** Gateways in front of {@link HostileServer}s, and the admin and MCP calls the provisioning tests make. */
abstract class ProvisioningTestSupport extends GatewayTestSupport {
    private final List<AutoCloseable> closeAfterAll = new ArrayList<>();

    /** A gateway with the given hostile servers assigned under the given prefixes, and a connection to it. */
    record Setup(String gatewayId, List<String> serverIds, AdminClient.Connection connection) {
        String serverId() {
            return serverIds.getFirst();
        }
    }

    HostileServer hostile(String name) {
        HostileServer s = HostileServer.start(name);
        closeAfterAll.add(s);
        return s;
    }

    Setup setup(String label, Map<String, HostileServer> byPrefix) {
        String gid = admin.createGateway(unique(label));
        List<String> ids = new ArrayList<>();
        byPrefix.forEach((prefix, server) -> {
            String sid = admin.createHttpServer(unique(label + "-" + prefix), "streamable-http", server.url());
            admin.assign(gid, sid, prefix);
            ids.add(sid);
        });
        return new Setup(gid, ids, admin.connect(gid));
    }

    McpTestClient connected(Setup s) {
        McpTestClient c = client(s.connection());
        closeAfterAll.add(c);
        assertThat(c.initialize(null).status()).isEqualTo(200);
        return c;
    }

    static List<String> names(McpTestClient c, String method, String member, String key) {
        JsonNode items = c.call(method, null).result().path(member);
        return items.valueStream().map(n -> n.path(key).asString()).toList();
    }

    static List<String> tools(McpTestClient c) {
        return names(c, "tools/list", "tools", "name");
    }

    JsonNode api(int status, String method, String path, Object body) {
        AdminClient.Answer a = admin.send(method, path, body);
        assertThat(a.status()).as(method + " " + path + " → " + a.body()).isEqualTo(status);
        return a.body();
    }

    List<JsonNode> features(String gid) {
        return api(200, "GET", "/gateways/" + gid + "/features", null).valueStream().toList();
    }

    JsonNode feature(String gid, String kind, String name) {
        return features(gid).stream().filter(f -> f.path("kind").asString().equals(kind) && f.path("name").asString().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + features(gid)));
    }

    List<JsonNode> alerts(String query) {
        return api(200, "GET", "/alerts?" + query, null).valueStream().toList();
    }

    /** The error a call got, without its id: what must be identical for a hidden and a missing feature. */
    static JsonNode error(McpTestClient.Result r) {
        return r.error();
    }

    @AfterAll
    void closeServers() throws Exception {
        for (AutoCloseable c : closeAfterAll) {
            c.close();
        }
    }
}
