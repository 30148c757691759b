package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;

/**
 * The rate-limit step alone on a movable clock: which limit refuses, the throttle it answers with,
 * and one alert per limited caller per window however long the flood lasts.
 */
class RateLimitStepTest {
    private static final long SECOND = 1_000_000_000L;
    private static final GatewayDef GW_1 = new GatewayDef("gw_1", "one", Instant.EPOCH);
    private static final GatewayDef GW_2 = new GatewayDef("gw_2", "two", Instant.EPOCH);

    private final AtomicLong now = new AtomicLong(10 * SECOND);
    private final List<String> alerts = new CopyOnWriteArrayList<>();

    private RateLimitStep step(int perConnection, int perUser, int perGateway) {
        Duration minute = Duration.ofMinutes(1);
        RateLimitProperties props = new RateLimitProperties(new RateLimitProperties.Window(perConnection, minute),
                new RateLimitProperties.Window(perUser, minute), new RateLimitProperties.Window(perGateway, minute), 1000);
        return new RateLimitStep(props, (x, scope, key, limit) -> alerts.add(scope + " " + key + " " + limit), now::get);
    }

    private static Exchange exchange(String connectionId, String userId, GatewayDef gateway) {
        Connection c = new Connection(connectionId, gateway.id(), userId == null ? "hst_1" : null, userId, true, "hash", Instant.EPOCH);
        CatalogSnapshot catalog = CatalogSnapshot.of(List.of(), List.of(GW_1, GW_2), List.of(), List.of(c), 1);
        return new Exchange(System.nanoTime(), new Exchange.Caller(c, gateway, catalog), Exchange.Generation.SESSION, "tools/list",
                Json.object().put("jsonrpc", "2.0").put("id", 1).put("method", "tools/list"));
    }

    @Test
    void overTheConnectionLimitTheRequestIsThrottledWithRetryAfterAndAClearError() {
        RateLimitStep step = step(2, 0, 0);
        Exchange x = exchange("con_1", null, GW_1);
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);

        Verdict third = step.beforeRouting(x);

        assertThat(third).isInstanceOfSatisfying(Verdict.Deny.class, d -> {
            assertThat(d.code()).isEqualTo(JsonRpc.RATE_LIMITED);
            assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(d.message()).isEqualTo("Too many requests: the connection limit of 2 per PT1M is used up; retry after 30 s");
            assertThat(d.data().path("limit").asString()).isEqualTo("connection");
            assertThat(d.data().path("retryAfterSeconds").asInt()).isEqualTo(30);
            assertThat(d.decisions()).singleElement().satisfies(dec -> assertThat(dec.action()).isEqualTo("throttle"));
        });
        // Another connection is not held back by this one.
        assertThat(step.beforeRouting(exchange("con_2", null, GW_1))).isInstanceOf(Verdict.Pass.class);
        // Half a minute later one request is earned back.
        now.addAndGet(30 * SECOND);
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Deny.class);
    }

    @Test
    void aPersonIsLimitedAcrossAllTheirConnections() {
        RateLimitStep step = step(100, 3, 0);
        for (String c : List.of("con_a", "con_b", "con_c")) {
            assertThat(step.beforeRouting(exchange(c, "usr_1", GW_1))).isInstanceOf(Verdict.Pass.class);
        }
        assertThat(step.beforeRouting(exchange("con_d", "usr_1", GW_2)))
                .isInstanceOfSatisfying(Verdict.Deny.class, d -> assertThat(d.data().path("limit").asString()).isEqualTo("user"));
        assertThat(step.beforeRouting(exchange("con_e", "usr_2", GW_1))).isInstanceOf(Verdict.Pass.class);
        // API-token connections have no person: only their own and their gateway's limits apply.
        for (int i = 0; i < 10; i++) {
            assertThat(step.beforeRouting(exchange("con_api", null, GW_1))).isInstanceOf(Verdict.Pass.class);
        }
    }

    @Test
    void aGatewayIsLimitedForEveryoneOnIt() {
        RateLimitStep step = step(100, 100, 4);
        for (int i = 0; i < 4; i++) {
            assertThat(step.beforeRouting(exchange("con_" + i, null, GW_1))).isInstanceOf(Verdict.Pass.class);
        }
        assertThat(step.beforeRouting(exchange("con_new", null, GW_1)))
                .isInstanceOfSatisfying(Verdict.Deny.class, d -> assertThat(d.data().path("limit").asString()).isEqualTo("gateway"));
        assertThat(step.beforeRouting(exchange("con_new", null, GW_2))).isInstanceOf(Verdict.Pass.class);
    }

    @Test
    void aFloodRaisesOneAlertPerWindowNotOnePerRequest() {
        RateLimitStep step = step(1, 0, 0);
        Exchange x = exchange("con_1", null, GW_1);
        for (int i = 0; i < 500; i++) {
            step.beforeRouting(x);
        }
        assertThat(alerts).containsExactly("connection con_1 1 per PT1M");
        now.addAndGet(61 * SECOND);
        for (int i = 0; i < 500; i++) {
            step.beforeRouting(x);
        }
        assertThat(alerts).hasSize(2);
    }

    @Test
    void allLimitsOffPassEverything() {
        RateLimitStep step = step(0, 0, 0);
        for (int i = 0; i < 1_000; i++) {
            assertThat(step.beforeRouting(exchange("con_1", "usr_1", GW_1))).isInstanceOf(Verdict.Pass.class);
        }
        assertThat(alerts).isEmpty();
    }

    @Test
    void aGatewaysOwnLimitsReplaceTheSettingsForThatGatewayOnlyAndFollowChanges() {
        Duration minute = Duration.ofMinutes(1);
        RateLimitProperties props = new RateLimitProperties(new RateLimitProperties.Window(100, minute),
                new RateLimitProperties.Window(0, minute), new RateLimitProperties.Window(0, minute), 1000);
        java.util.concurrent.atomic.AtomicReference<gatehouse.policy.limits.GatewayRateLimit> own =
                new java.util.concurrent.atomic.AtomicReference<>(new gatehouse.policy.limits.GatewayRateLimit(60, 0, 2));
        RateLimitStep step = new RateLimitStep(props, (x, scope, key, limit) -> alerts.add(scope + " " + key + " " + limit), now::get,
                gid -> gid.equals(GW_1.id()) ? java.util.Optional.ofNullable(own.get()) : java.util.Optional.empty());
        Exchange x = exchange("con_1", null, GW_1);
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);
        assertThat(step.beforeRouting(x)).as("burst 2").isInstanceOfSatisfying(Verdict.Deny.class,
                d -> assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(1)));
        Exchange other = exchange("con_2", null, GW_2);
        for (int i = 0; i < 50; i++) {
            assertThat(step.beforeRouting(other)).as("the other gateway has the setting's 100").isInstanceOf(Verdict.Pass.class);
        }
        own.set(new gatehouse.policy.limits.GatewayRateLimit(60, 0, 5)); // changed: new buckets
        for (int i = 0; i < 5; i++) {
            assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);
        }
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Deny.class);
        own.set(null); // removed: the settings apply again
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);
        assertThat(alerts).anyMatch(a -> a.startsWith("connection con_1 60 per PT1M (burst"));
    }
}
