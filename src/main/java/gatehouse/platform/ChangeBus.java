package gatehouse.platform;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Brings configuration changes made by other replicas within moments instead of the next periodic
 * refresh. On PostgreSQL, triggers on the configuration tables ({@code db/vendor/postgresql})
 * send {@code NOTIFY gatehouse_changes} when a transaction that changed them commits; this bean
 * holds one connection of its own that {@code LISTEN}s, and on a notification reloads every
 * {@link Reloadable} view (a burst of notifications becomes one reload). On the embedded
 * database there is only one replica and nothing to listen for.
 */
@Component
public class ChangeBus implements SmartLifecycle {
    static final String CHANNEL = "gatehouse_changes";
    private static final Logger log = LoggerFactory.getLogger(ChangeBus.class);

    private final DataSource dataSource;
    private final List<Reloadable> views;
    private volatile boolean running;
    private volatile Thread listener;
    private volatile Connection connection;

    ChangeBus(DataSource dataSource, List<Reloadable> views) {
        this.dataSource = dataSource;
        this.views = List.copyOf(views);
    }

    @Override
    public void start() {
        if (!(dataSource instanceof HikariDataSource h) || h.getJdbcUrl() == null || !h.getJdbcUrl().startsWith("jdbc:postgresql:")) {
            return;
        }
        running = true;
        listener = Thread.ofPlatform().name("change-listener").daemon(true).start(() -> listen(h));
    }

    private void listen(HikariDataSource h) {
        long backoff = 500;
        while (running) {
            try (Connection c = DriverManager.getConnection(h.getJdbcUrl(), h.getUsername(), h.getPassword())) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                // Anything changed while no one listened (start-up, a lost connection) is caught up now.
                reloadAll();
                backoff = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] got = pg.getNotifications(1_000);
                    if (got != null && got.length > 0) {
                        // Coalesce a burst (one admin call can touch several tables) into one reload.
                        Thread.sleep(50);
                        pg.getNotifications(1);
                        reloadAll();
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    log.warn("listening for configuration changes failed ({}); retrying in {} ms", e.getMessage(), backoff);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                connection = null;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, 10_000);
        }
    }

    private void reloadAll() {
        for (Reloadable v : views) {
            try {
                v.reload();
            } catch (RuntimeException e) {
                log.warn("reloading {} after a change elsewhere failed: {}", v.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        Thread t = listener;
        if (t != null) {
            t.interrupt();
            Connection c = connection;
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // closing anyway
                }
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
