package gatehouse.gateway.protocol;

import java.util.List;

/**
 * The MCP protocol versions Gatehouse speaks, newest first. Two generations: the 2025 revisions
 * negotiate once in {@code initialize} and hold a session; from 2026-07-28 on every request names
 * its version in {@code _meta} and no session exists.
 */
public final class ProtocolVersions {
    public static final String LATEST_SESSIONFUL = "2025-11-25";
    public static final List<String> SESSIONFUL = List.of("2025-11-25", "2025-06-18", "2025-03-26");
    public static final String LATEST_STATELESS = "2026-07-28";
    /** The stateless revisions Gatehouse serves; {@code server/discover} advertises exactly these. */
    public static final List<String> STATELESS = List.of("2026-07-28");

    private ProtocolVersions() {
    }

    /** A sessionful (2025-era) version Gatehouse accepts. */
    public static boolean supported(String version) {
        return SESSIONFUL.contains(version);
    }

    /**
     * Whether a version names the stateless generation. Revision names are dates, so the
     * comparison is lexicographic; a name Gatehouse does not know but that sorts after the first
     * stateless revision (a future revision, or garbage such as {@code v999}) is treated as
     * stateless too, and then refused with the list of supported revisions.
     */
    public static boolean stateless(String version) {
        return version != null && version.compareTo(LATEST_STATELESS) >= 0;
    }

    /** The version answered to an initialize that asked for {@code requested}. */
    public static String negotiate(String requested) {
        return supported(requested) ? requested : LATEST_SESSIONFUL;
    }
}
