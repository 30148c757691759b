package gatehouse.testing;

import gatehouse.platform.Ids;

/** Names unique to one test, so tests that share a cached context never see each other's rows. */
public final class TestNames {
    private TestNames() {
    }

    public static String unique(String base) {
        return base + "-" + Ids.random(8);
    }
}
