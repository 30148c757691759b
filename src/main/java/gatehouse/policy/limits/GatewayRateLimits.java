package gatehouse.policy.limits;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Gateways' own rate limits ({@code gateway_rate_limits}), served to the data plane from memory: a
 * change here is seen at once, one on another replica within {@code gatehouse.catalog-refresh}.
 */
@Service
public class GatewayRateLimits {
    private final JdbcClient jdbc;
    private volatile Map<String, GatewayRateLimit> byGateway = Map.of();

    public GatewayRateLimits(JdbcClient jdbc) {
        this.jdbc = jdbc;
        reload();
    }

    /** The gateway's own limits, if it has any (a map look-up; called per request). */
    public Optional<GatewayRateLimit> of(String gatewayId) {
        return Optional.ofNullable(byGateway.get(gatewayId));
    }

    /** Sets ({@code limit}) or removes ({@code null}) a gateway's own limits; the gateway must exist. */
    public synchronized void set(String gatewayId, GatewayRateLimit limit) {
        jdbc.sql("DELETE FROM gateway_rate_limits WHERE gateway_id = ?").param(gatewayId).update();
        if (limit != null) {
            jdbc.sql("INSERT INTO gateway_rate_limits (gateway_id, per_connection_per_minute, per_user_per_minute, burst, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?)")
                    .params(gatewayId, limit.perConnectionPerMinute(), limit.perUserPerMinute(), limit.burst(), Timestamp.from(Instant.now()))
                    .update();
        }
        reload();
    }

    @Scheduled(fixedDelayString = "${gatehouse.catalog-refresh:5s}", initialDelayString = "${gatehouse.catalog-refresh:5s}")
    public synchronized void reload() {
        Map<String, GatewayRateLimit> all = new HashMap<>();
        jdbc.sql("SELECT gateway_id, per_connection_per_minute, per_user_per_minute, burst FROM gateway_rate_limits")
                .query((rs, n) -> all.put(rs.getString(1), new GatewayRateLimit(rs.getInt(2), rs.getInt(3), rs.getInt(4)))).list();
        byGateway = Map.copyOf(all);
    }
}
