package gatehouse.policy.access;

import java.util.Arrays;
import java.util.Optional;

/** A permission a role grants, by its wire name. {@link #ADMIN} implies every other one. */
public enum Permission {
    GATEWAY_READ("gateway.read"),
    GATEWAY_MANAGE("gateway.manage"),
    GATEWAY_PROVISION("gateway.provision"),
    GATEWAY_RULES("gateway.rules"),
    GATEWAY_LOGS("gateway.logs"),
    CONNECTION_MANAGE("connection.manage"),
    TEAM_MANAGE("team.manage"),
    USER_MANAGE("user.manage"),
    ALERT_MANAGE("alert.manage"),
    ADMIN("admin");

    private final String wire;

    Permission(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Permission> fromWire(String name) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(name)).findFirst();
    }
}
