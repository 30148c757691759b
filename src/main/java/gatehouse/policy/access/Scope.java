package gatehouse.policy.access;

/** Where a grant applies: everywhere, one gateway, or one team (and the gateways that team holds). */
public sealed interface Scope {

    /** {@code global}, {@code gateway} or {@code team}, as stored. */
    String kind();

    /** The gateway or team id; null for {@link Global}. */
    String id();

    record Global() implements Scope {
        @Override
        public String kind() {
            return "global";
        }

        @Override
        public String id() {
            return null;
        }
    }

    record OnGateway(String gatewayId) implements Scope {
        public OnGateway {
            if (gatewayId == null || gatewayId.isBlank()) {
                throw new IllegalArgumentException("a gateway scope names its gateway");
            }
        }

        @Override
        public String kind() {
            return "gateway";
        }

        @Override
        public String id() {
            return gatewayId;
        }
    }

    record OnTeam(String teamId) implements Scope {
        public OnTeam {
            if (teamId == null || teamId.isBlank()) {
                throw new IllegalArgumentException("a team scope names its team");
            }
        }

        @Override
        public String kind() {
            return "team";
        }

        @Override
        public String id() {
            return teamId;
        }
    }

    Global GLOBAL = new Global();

    static Scope of(String kind, String id) {
        return switch (kind) {
            case "global" -> GLOBAL;
            case "gateway" -> new OnGateway(id);
            case "team" -> new OnTeam(id);
            default -> throw new IllegalArgumentException("unknown scope kind " + kind);
        };
    }
}
