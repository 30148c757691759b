package gatehouse.platform;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Whether the database runs inside this process: H2 on a file or in memory, which no other replica
 * can reach. Writers that may gather work before they write (the log writer's statement batches,
 * the session store's linger) ask this once at start; a database shared over the network (H2 as a
 * server, PostgreSQL) gets every write at once.
 */
public final class InProcessDatabase {
    private InProcessDatabase() {
    }

    /** True for an in-process H2 database; false for any other, and when it cannot be asked now. */
    public static boolean is(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String url = c.getMetaData().getURL();
            return url != null && url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:");
        } catch (SQLException | RuntimeException e) {
            return false; // the embedded database is always there; one that does not answer now is on the network
        }
    }
}
