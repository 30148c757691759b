package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One stdio process serves every client, and stdio carries nothing that says which call a server
 * request belongs to. Two people's calls in flight at once must not let one see the other's
 * question: Gatehouse refuses the request rather than guess.
 */
class SharedStdioIsolationTest extends GatewayTestSupport {
    private String gateway;

    @BeforeAll
    void setUp() {
        StdioFixtureUpstream upstream = new StdioFixtureUpstream(admin, "shared-stdio-isolation");
        gateway = admin.createGateway("shared-stdio-isolation");
        admin.assign(gateway, upstream.serverId(), "fx");
    }

    private McpTestClient sampler(List<ObjectNode> asked, CountDownLatch release) {
        McpTestClient c = client(admin.connect(gateway));
        c.initialize(McpTestClient.capabilities("sampling"));
        c.onServerRequest(request -> {
            asked.add(request);
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Json.tree("""
                    {"role":"assistant","content":{"type":"text","text":"mine"},"model":"m","stopReason":"endTurn"}""");
        });
        return c;
    }

    @Test
    void aServerRequestDuringTwoClientsCallsGoesToNeitherOfThem() throws Exception {
        List<ObjectNode> askedA = new CopyOnWriteArrayList<>();
        List<ObjectNode> askedB = new CopyOnWriteArrayList<>();
        CountDownLatch releaseA = new CountDownLatch(1);
        McpTestClient a = sampler(askedA, releaseA);
        McpTestClient b = sampler(askedB, new CountDownLatch(0));

        // A's call is the only one in flight when its question comes: A is asked, and holds on.
        CompletableFuture<Result> first = CompletableFuture.supplyAsync(() -> a.callTool("fx__test_sampling", obj("prompt", "a")));
        long deadline = System.currentTimeMillis() + 120_000; // the first call also starts the JVM fixture
        while (askedA.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(askedA).hasSize(1);
        // B's question arrives while both calls are in flight: nobody is asked.
        Result second = b.callTool("fx__test_sampling", obj("prompt", "b"));
        releaseA.countDown();
        Result firstResult = first.get(20, TimeUnit.SECONDS);

        assertThat(askedB).isEmpty();
        assertThat(askedA).hasSize(1);
        assertThat(text(firstResult)).isEqualTo("LLM response: mine");
        JsonNode refused = second.response();
        boolean failed = refused.has("error") || refused.path("result").path("isError").asBoolean(false);
        assertThat(failed).as("B's call fails instead of borrowing A's client: %s", refused).isTrue();
    }

    private static ObjectNode obj(String key, String value) {
        return Json.object().put(key, value);
    }

    private static String text(Result r) {
        return r.result().path("content").get(0).path("text").asString();
    }
}
