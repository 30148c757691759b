package gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL server for the whole test run (started on first use, stopped when the JVM
 * exits). Each Spring context gets its own database in it, so contexts stay isolated without
 * paying the server start again.
 */
public final class TestPostgres {
    private static final Logger log = LoggerFactory.getLogger(TestPostgres.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;
    private static Duration startTime;

    private TestPostgres() {
    }

    /** Creates an empty database and returns its JDBC URL (user {@code postgres}, no password). */
    public static synchronized String newDatabase() {
        String name = "gatehouse_" + DATABASES.incrementAndGet();
        try (var c = server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name, e);
        }
        return server().getJdbcUrl("postgres", name);
    }

    /** How long the server took to start (reported by the persistence tests). */
    public static synchronized Duration startTime() {
        server();
        return startTime;
    }

    private static EmbeddedPostgres server() {
        if (server == null) {
            long t0 = System.nanoTime();
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            startTime = Duration.ofNanos(System.nanoTime() - t0);
            log.info("embedded PostgreSQL started on port {} in {} ms", server.getPort(), startTime.toMillis());
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // the JVM is exiting; the data directory lives under target/ and goes with mvn clean
                }
            }));
        }
        return server;
    }
}
