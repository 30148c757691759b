package gatehouse.gateway.steps;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

import gatehouse.alerts.AlertService;
import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import gatehouse.policy.limits.GatewayRateLimit;
import gatehouse.policy.limits.GatewayRateLimits;
import gatehouse.policy.limits.RateLimit;
import gatehouse.policy.limits.RateLimiter;

/**
 * Abuse limits on client requests: per connection, per person and per gateway (see
 * {@link RateLimitProperties}). Runs first, before any other step looks at the message, so a flood
 * costs a map look-up per request. Over a limit the request is refused with HTTP 429,
 * {@code Retry-After} and JSON-RPC error {@link JsonRpc#RATE_LIMITED} naming which limit; an
 * alert is raised at most once per limited caller per window, so a flood does not become a flood
 * of alerts (or of database writes).
 */
@Component
@EnableConfigurationProperties(RateLimitProperties.class)
public class RateLimitStep implements Step {
    static final String NAME = "rate-limit";

    private final RateLimiter perConnection;
    private final RateLimiter perUser;
    private final RateLimiter perGateway;
    private final Alerter alerts;
    private final LongSupplier clock;
    private final Map<String, Long> alerted;
    private final java.util.function.Function<String, java.util.Optional<GatewayRateLimit>> ownLimits;
    private final int maxKeys;
    /** Limiters of gateways with limits of their own, rebuilt when those limits change. */
    private final Map<String, OwnLimiters> own = new java.util.concurrent.ConcurrentHashMap<>();

    private record OwnLimiters(GatewayRateLimit settings, RateLimiter perConnection, RateLimiter perUser) {
    }

    /** Where a reached limit is reported (the alert service; tests record instead). */
    interface Alerter {
        void limitReached(Exchange exchange, String scope, String key, RateLimit limit);
    }

    @Autowired
    public RateLimitStep(RateLimitProperties props, AlertService alerts, GatewayRateLimits gatewayLimits) {
        this(props, (exchange, scope, key, limit) -> alerts.raise("rate-limited", "warning", scope + " " + key,
                "The " + scope + " rate limit (" + limit + ") was reached; further requests get HTTP 429 until it refills",
                new AlertService.About(exchange.caller().gatewayId(), null, null),
                Json.object().put("limit", scope).put("key", key).put("connectionId", exchange.caller().connectionId())),
                System::nanoTime, gatewayLimits::of);
    }

    RateLimitStep(RateLimitProperties props, Alerter alerts, LongSupplier clock) {
        this(props, alerts, clock, gid -> java.util.Optional.empty());
    }

    RateLimitStep(RateLimitProperties props, Alerter alerts, LongSupplier clock,
                  java.util.function.Function<String, java.util.Optional<GatewayRateLimit>> ownLimits) {
        this.ownLimits = ownLimits;
        int keys = props.maxTrackedCallers();
        this.maxKeys = keys;
        this.perConnection = new RateLimiter(props.perConnection().limit(), keys);
        this.perUser = new RateLimiter(props.perUser().limit(), keys);
        this.perGateway = new RateLimiter(props.perGateway().limit(), keys);
        this.alerts = alerts;
        this.clock = clock;
        this.alerted = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > 1_000;
            }
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Verdict beforeRouting(Exchange exchange) {
        Exchange.Caller caller = exchange.caller();
        if (caller == null) {
            return Verdict.pass();
        }
        long now = clock.getAsLong();
        RateLimiter connectionLimiter = perConnection;
        RateLimiter userLimiter = perUser;
        GatewayRateLimit mine = ownLimits.apply(caller.gatewayId()).orElse(null);
        if (mine != null) {
            // The gateway's own limits (admin API) replace the settings' per-connection and per-person ones.
            OwnLimiters o = own.compute(caller.gatewayId(), (gid, old) -> old != null && old.settings().equals(mine) ? old
                    : new OwnLimiters(mine, new RateLimiter(mine.perConnection(), maxKeys), new RateLimiter(mine.perUser(), maxKeys)));
            connectionLimiter = o.perConnection();
            userLimiter = o.perUser();
        } else if (!own.isEmpty()) {
            own.remove(caller.gatewayId());
        }
        Verdict v = check(exchange, connectionLimiter, "connection", caller.connectionId(), now);
        if (v == null && caller.userId() != null) {
            v = check(exchange, userLimiter, "user", caller.userId(), now);
        }
        if (v == null) {
            v = check(exchange, perGateway, "gateway", caller.gatewayId(), now);
        }
        return v == null ? Verdict.pass() : v;
    }

    private Verdict check(Exchange exchange, RateLimiter limiter, String scope, String key, long now) {
        if (limiter.limit().off()) {
            return null;
        }
        return switch (limiter.acquire(key, now)) {
            case RateLimiter.Outcome.Admitted a -> null;
            case RateLimiter.Outcome.Refused r -> refuse(exchange, limiter.limit(), scope, key, r.retryAfter(), now);
        };
    }

    private Verdict refuse(Exchange exchange, RateLimit limit, String scope, String key, Duration retryAfter, long now) {
        long seconds = Math.max(1, retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0));
        alertOnce(exchange, limit, scope, key, now);
        return Verdict.throttle(JsonRpc.RATE_LIMITED,
                "Too many requests: the " + scope + " limit of " + limit + " is used up; retry after " + seconds + " s",
                Json.object().put("limit", scope).put("retryAfterSeconds", seconds), retryAfter,
                new Decision(NAME, "throttle", Map.of("limit", scope)));
    }

    private void alertOnce(Exchange exchange, RateLimit limit, String scope, String key, long now) {
        String alertKey = scope + ":" + key;
        synchronized (alerted) {
            Long last = alerted.get(alertKey);
            if (last != null && now - last < limit.per().toNanos()) {
                return;
            }
            alerted.put(alertKey, now);
        }
        try {
            alerts.limitReached(exchange, scope, key, limit);
        } catch (RuntimeException e) {
            // An alert store that fails must not turn a throttle into an internal error.
            org.slf4j.LoggerFactory.getLogger(RateLimitStep.class).warn("could not raise the rate-limit alert: {}", e.toString());
        }
    }
}
