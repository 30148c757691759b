package gatehouse.gateway.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import gatehouse.gateway.upstream.ResumeState;
import gatehouse.platform.Json;
import gatehouse.platform.SecretBox;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Protocol 2025 sessions in the database, so that any replica sharing it can carry a session on
 * when the one that issued it is gone. Writes never happen on a request's thread: they are queued
 * per session (the newest wins) and written by one background thread, which keeps them while the
 * database is away and writes them once it answers. Only a lookup of an id this process does not
 * hold reads the database. Rows are keyed by the SHA-256 of the session id and their state is
 * sealed, bound to the row. On a shared database (PostgreSQL) writes are made as soon as they are
 * queued: a client's next request, even right after initialize, may reach another replica, which
 * must find the session and the upstream sessions opened for it. The embedded database belongs to
 * this process alone, so no other replica can ask for a session, only this one after a restart:
 * there the writer lets what is queued gather for {@code gatehouse.mcp.session-store-linger}
 * first (each of its commits writes through to the file), so a session's creation and the upstream
 * sessions opened for it become one row written, and a session that ends within it is never
 * written at all. A new session's row is inserted without an update first, and a session that ends
 * before its row was written deletes nothing.
 */
@Component
public class SessionStore implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(SessionStore.class);
    private static final String TABLE = "mcp_sessions";

    /** A session as stored: who owns it and what it needs to be carried on. */
    public record Stored(String connectionId, String gatewayId, String protocolVersion, ObjectNode clientInit,
                         Map<String, ResumeState> upstreams) {
        public Stored {
            if (connectionId == null || gatewayId == null || protocolVersion == null || clientInit == null) {
                throw new IllegalArgumentException("a stored session needs its connection, gateway, version and initialize parameters");
            }
            upstreams = Map.copyOf(upstreams);
        }
    }

    /** What is waiting to be written for one session: its newest state, or its removal. */
    private sealed interface Pending permits Save, Remove {
    }

    private record Save(DownstreamSession session) implements Pending {
    }

    private record Remove() implements Pending {
    }

    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Ended sessions whose row may not be deleted yet: never carried on, even while the DELETE is on its way. */
    private final java.util.Set<String> ending = ConcurrentHashMap.newKeySet();
    /** Sessions made here whose row has not been written yet: their removal has nothing to delete. */
    private final java.util.Set<String> unwritten = ConcurrentHashMap.newKeySet();
    private final Thread writer;
    /** How long queued writes gather before they are written; 0 on a database other replicas share. */
    private final long lingerNanos;
    private volatile boolean stopping;

    SessionStore(JdbcClient jdbc, javax.sql.DataSource dataSource, SecretBox secrets,
                 @org.springframework.beans.factory.annotation.Value("${gatehouse.mcp.session-store-linger:1s}") java.time.Duration linger) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        if (linger.isNegative()) {
            throw new IllegalArgumentException("gatehouse.mcp.session-store-linger must not be negative");
        }
        this.lingerNanos = gatehouse.platform.InProcessDatabase.is(dataSource) ? linger.toNanos() : 0;
        this.writer = Thread.ofVirtual().name("session-store").start(this::writeLoop);
    }

    /** The key a session id is stored under: the database never holds the id itself. */
    static String key(String sessionId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Queues a session made here, which has no row yet. */
    void created(DownstreamSession s) {
        unwritten.add(s.id());
        save(s);
    }

    /** Queues the session's current state for writing (its creation, or a change of its upstream sessions). */
    void save(DownstreamSession s) {
        pending.put(s.id(), new Save(s));
        LockSupport.unpark(writer);
    }

    /** Queues the removal of an ended session. */
    void remove(String sessionId) {
        ending.add(sessionId);
        pending.put(sessionId, new Remove());
        LockSupport.unpark(writer);
    }

    /** How long a lookup waits for the upstream sessions of a session created moments ago (see {@link #load}). */
    private static final long FRESH_WAIT_NANOS = 500_000_000L;

    private record Loaded(Stored stored, Instant createdAt) {
    }

    /** Whether this session was ended here and its row may not be deleted yet. */
    boolean ended(String sessionId) {
        return ending.contains(sessionId);
    }

    /** The stored session with this id, if any; empty too when the database cannot be read now. */
    Optional<Stored> load(String sessionId) {
        if (ending.contains(sessionId)) {
            return Optional.empty(); // ended here; its row is being deleted
        }
        String key = key(sessionId);
        try {
            // A session another replica created moments ago may still be opening its upstream sessions
            // (in the background, after its initialize was answered): a client's next request, sent at
            // once, can arrive here first. Its upstream sessions are written as soon as they are open,
            // so wait a little for them rather than open second ones beside them.
            long until = System.nanoTime() + FRESH_WAIT_NANOS;
            while (true) {
                Loaded loaded = jdbc.sql("SELECT connection_id, gateway_id, protocol_version, state, created_at FROM mcp_sessions WHERE id_hash = ?")
                        .param(key)
                        .query((rs, n) -> new Loaded(open(key, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                                rs.getTimestamp(5).toInstant()))
                        .optional().orElse(null);
                if (loaded == null) {
                    return Optional.empty();
                }
                boolean opening = loaded.stored().upstreams().isEmpty()
                        && loaded.createdAt().isAfter(Instant.now().minus(java.time.Duration.ofSeconds(2)));
                if (!opening || System.nanoTime() > until) {
                    return Optional.of(loaded.stored());
                }
                LockSupport.parkNanos(20_000_000L);
            }
        } catch (DataAccessException | IllegalStateException e) {
            log.warn("a stored session could not be read: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Records that these sessions were used recently (at most once a minute per session, from the sweep). */
    void touched(Map<String, Instant> lastSeen) {
        try {
            lastSeen.forEach((id, at) -> jdbc.sql("UPDATE mcp_sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?")
                    .params(Timestamp.from(at), key(id), Timestamp.from(at)).update());
        } catch (DataAccessException e) {
            log.debug("session activity not recorded now: {}", e.getMessage());
        }
    }

    /** Removes the sessions no replica has seen used since {@code cutoff}; returns how many. */
    int purgeIdle(Instant cutoff) {
        try {
            return jdbc.sql("DELETE FROM mcp_sessions WHERE last_seen < ?").param(Timestamp.from(cutoff)).update();
        } catch (DataAccessException e) {
            log.debug("idle sessions not purged now: {}", e.getMessage());
            return 0;
        }
    }

    /** Writes everything queued now (shutdown); what cannot be written is lost with the process. */
    void flush() {
        for (String id : java.util.List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                try {
                    write(id, p);
                } catch (DataAccessException e) {
                    log.warn("session state not written at shutdown: {}", e.getMessage());
                    return;
                }
            }
        }
    }

    private void writeLoop() {
        long backoff = 0;
        while (!stopping) {
            if (pending.isEmpty() || backoff > 0) {
                LockSupport.parkNanos(backoff > 0 ? backoff : 1_000_000_000L);
                if (Thread.interrupted() && stopping) {
                    return;
                }
            }
            backoff = 0;
            if (lingerNanos > 0 && !pending.isEmpty()) {
                // what comes meanwhile joins (a later save replaces, a removal cancels); queuing wakes this thread, so park again
                long until = System.nanoTime() + lingerNanos;
                for (long left = lingerNanos; left > 0 && !stopping; left = until - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                if (stopping) {
                    Thread.interrupted();
                    return; // the shutdown writes what is queued (flush), on a thread not interrupted
                }
            }
            for (String id : java.util.List.copyOf(pending.keySet())) {
                Pending p = pending.remove(id);
                if (p == null) {
                    continue;
                }
                try {
                    write(id, p);
                } catch (DataAccessException e) {
                    // The database is away: keep it (unless something newer came) and try again shortly.
                    pending.putIfAbsent(id, p);
                    log.debug("session state not written now, retrying: {}", e.getMessage());
                    backoff = 2_000_000_000L;
                    break;
                } catch (RuntimeException e) {
                    log.warn("session state could not be written: {}", e.toString());
                }
            }
        }
    }

    private void write(String id, Pending p) {
        String key = key(id);
        switch (p) {
            case Remove r -> {
                if (!unwritten.remove(id)) {
                    jdbc.sql("DELETE FROM mcp_sessions WHERE id_hash = ?").param(key).update();
                }
                if (!(pending.get(id) instanceof Save)) {
                    ending.remove(id);
                }
            }
            case Save(DownstreamSession s) -> {
                if (s.closed() || ending.contains(id)) {
                    return; // ended or left meanwhile: its removal (if any) is queued on its own
                }
                Map<String, ResumeState> upstreams = s.resumeStates();
                String sealed = secrets.encrypt(Json.MAPPER.writeValueAsString(state(s.clientInit(), upstreams)),
                        SecretBox.context(TABLE, "state", key));
                Timestamp now = Timestamp.from(Instant.now());
                boolean fresh = unwritten.contains(id);
                int updated = fresh ? 0 : jdbc.sql("UPDATE mcp_sessions SET upstream_count = ?, state = ?, updated_at = ? WHERE id_hash = ?")
                        .params(upstreams.size(), sealed, now, key).update();
                if (updated == 0) {
                    try {
                        jdbc.sql("INSERT INTO mcp_sessions (id_hash, connection_id, gateway_id, protocol_version, upstream_count, state, "
                                        + "created_at, updated_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                .params(key, s.connectionId(), s.gatewayId(), s.protocolVersion(), upstreams.size(), sealed, now, now,
                                        Timestamp.from(s.lastSeen())).update();
                    } catch (DuplicateKeyException raced) {
                        jdbc.sql("UPDATE mcp_sessions SET upstream_count = ?, state = ?, updated_at = ? WHERE id_hash = ?")
                                .params(upstreams.size(), sealed, now, key).update();
                    } catch (DataIntegrityViolationException gone) {
                        log.debug("session of a removed connection not stored: {}", gone.getMessage());
                        return;
                    }
                }
                unwritten.remove(id);
            }
        }
    }

    private static ObjectNode state(ObjectNode clientInit, Map<String, ResumeState> upstreams) {
        ObjectNode state = Json.object();
        state.set("clientInit", clientInit);
        ObjectNode ups = state.putObject("upstreams");
        upstreams.forEach((serverId, r) -> {
            ObjectNode u = ups.putObject(serverId);
            u.put("url", r.url());
            u.put("sessionId", r.sessionId());
            u.put("protocolVersion", r.protocolVersion());
            u.set("initializeResult", r.initializeResult());
        });
        return state;
    }

    private Stored open(String key, String connectionId, String gatewayId, String protocolVersion, String sealed) {
        JsonNode state = Json.MAPPER.readTree(secrets.decrypt(sealed, SecretBox.context(TABLE, "state", key)));
        Map<String, ResumeState> upstreams = new LinkedHashMap<>();
        state.path("upstreams").properties().forEach(e -> {
            JsonNode u = e.getValue();
            if (u.path("initializeResult") instanceof ObjectNode init) {
                upstreams.put(e.getKey(), new ResumeState(u.path("url").asString(), u.path("sessionId").asString(),
                        u.path("protocolVersion").isString() ? u.path("protocolVersion").asString() : null, init));
            }
        });
        if (!(state.path("clientInit") instanceof ObjectNode clientInit)) {
            throw new IllegalStateException("stored session without its initialize parameters");
        }
        return new Stored(connectionId, gatewayId, protocolVersion, clientInit, upstreams);
    }

    @Override
    public void destroy() {
        stopping = true;
        writer.interrupt();
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
