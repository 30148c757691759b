package gatehouse.gateway.protocol;

import java.util.List;

/** The MCP protocol versions Gatehouse speaks, newest first. */
public final class ProtocolVersions {
    public static final String LATEST_SESSIONFUL = "2025-11-25";
    public static final List<String> SESSIONFUL = List.of("2025-11-25", "2025-06-18", "2025-03-26");

    private ProtocolVersions() {
    }

    public static boolean supported(String version) {
        return SESSIONFUL.contains(version);
    }

    /** The version answered to an initialize that asked for {@code requested}. */
    public static String negotiate(String requested) {
        return supported(requested) ? requested : LATEST_SESSIONFUL;
    }
}
