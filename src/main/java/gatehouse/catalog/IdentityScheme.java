package gatehouse.catalog;

/** Whose credential an assignment uses: one shared by everyone, or each user's own. */
public enum IdentityScheme {
    SHARED("shared"), PERSONAL("personal");

    private final String wire;

    IdentityScheme(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static IdentityScheme fromWire(String value) {
        for (IdentityScheme s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("identity must be 'shared' or 'personal' (got '" + value + "')");
    }
}
