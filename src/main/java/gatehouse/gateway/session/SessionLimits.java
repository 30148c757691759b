package gatehouse.gateway.session;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gatehouse.mcp.limits.*}: what one client session (or a connection's stateless stand-in)
 * may hold in memory, so no client and no upstream can grow the gateway's heap without bound.
 * <ul>
 * <li>the GET stream's replay buffer keeps at most {@code replayEvents} events and
 *     {@code replayBytes} bytes (the newest event is always kept); older ones are dropped, and a
 *     client resuming from a dropped event receives only what is still kept;</li>
 * <li>{@code callsInFlightPerSession}: client requests being answered by upstreams at once; one more
 *     is refused with {@link gatehouse.gateway.protocol.JsonRpc#LIMIT_REACHED};</li>
 * <li>{@code clientRequestsPerSession}: requests from upstreams (sampling, elicitation, roots) that
 *     wait for the client's answer; one more is refused to the upstream that sent it;</li>
 * <li>{@code parkedInputsPerConnection}, {@code parkedInputs}: stateless calls parked while their
 *     client answers an {@code input_required} round, per connection and in the whole replica; one
 *     more call is cancelled upstream and answered with the limit's error.</li>
 * </ul>
 * Reaching a refusing bound raises a {@code bound-reached} alert ({@link BoundAlerts}).
 */
@ConfigurationProperties("gatehouse.mcp.limits")
public record SessionLimits(
        @DefaultValue("512") int replayEvents,
        @DefaultValue("8388608") long replayBytes,
        @DefaultValue("100") int callsInFlightPerSession,
        @DefaultValue("32") int clientRequestsPerSession,
        @DefaultValue("100") int parkedInputsPerConnection,
        @DefaultValue("10000") int parkedInputs) {

    public static final SessionLimits DEFAULTS = new SessionLimits(512, 8L << 20, 100, 32, 100, 10_000);

    public SessionLimits {
        if (replayEvents < 1 || replayBytes < 1 || callsInFlightPerSession < 1 || clientRequestsPerSession < 1
                || parkedInputsPerConnection < 1 || parkedInputs < 1) {
            throw new IllegalArgumentException("every gatehouse.mcp.limits.* setting must be at least 1");
        }
    }

    public static String setting(String name) {
        return "gatehouse.mcp.limits." + name;
    }
}
