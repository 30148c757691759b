package gatehouse.catalog.health;

import java.time.Instant;

/**
 * One server's health as last observed. {@code reason} says why it is not ok (never a secret:
 * URLs without query or user info, no server output); {@code since} is when it entered this
 * state; {@code lastContactAt} is the last time the server answered.
 */
public record ServerHealth(State state, String reason, Instant since, Instant lastContactAt) {
    public enum State {
        OK("ok"), STARTING("starting"), FAILING("failing");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public ServerHealth {
        if (state == null) {
            throw new IllegalArgumentException("a health state is required");
        }
        if (state == State.FAILING && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("a failing server needs a reason");
        }
    }

    /** Not contacted since this Gatehouse started (or since the server was changed). */
    public static ServerHealth unknown(String reason) {
        return new ServerHealth(State.STARTING, reason, null, null);
    }
}
