package gatehouse.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;

/** An empty prefix is allowed, but not when the tool names it exposes would collide. */
class NameClashTest extends GatewayTestSupport {
    private RunningFixture first;
    private RunningFixture second;

    @BeforeAll
    void fixtures() throws Exception {
        first = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        second = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
    }

    @AfterAll
    void stop() throws Exception {
        first.close();
        second.close();
    }

    @Test
    void emptyPrefixWhoseToolNamesClashIsRefusedNamingTheClashes() {
        String a = admin.createHttpServer("clash-a", "streamable-http", first.url().toString());
        String b = admin.createHttpServer("clash-b", "streamable-http", second.url().toString());
        String gw = admin.createGateway("clash-gw");
        admin.assign(gw, a, "");

        AdminClient.Answer refused = admin.send("PUT", "/gateways/" + gw + "/servers/" + b, Map.of("identity", "shared", "prefix", ""));

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("field").asString()).isEqualTo("prefix");
        assertThat(refused.body().path("detail").asString())
                .contains("tool names would clash")
                .contains("'test_simple_text' (also on server 'clash-a')");

        // With a prefix of its own the same server fits beside the first.
        AdminClient.Answer accepted = admin.send("PUT", "/gateways/" + gw + "/servers/" + b, Map.of("identity", "shared", "prefix", "b"));
        assertThat(accepted.status()).isEqualTo(200);
    }

    @Test
    void aPrefixUsedTwiceInOneGatewayIsRefused() {
        String a = admin.createHttpServer("dup-a", "streamable-http", first.url().toString());
        String b = admin.createHttpServer("dup-b", "streamable-http", second.url().toString());
        String gw = admin.createGateway("dup-gw");
        admin.assign(gw, a, "same");

        AdminClient.Answer refused = admin.send("PUT", "/gateways/" + gw + "/servers/" + b, Map.of("identity", "shared", "prefix", "same"));

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("detail").asString()).contains("prefix 'same' is already used in this gateway by server 'dup-a'");
    }
}
