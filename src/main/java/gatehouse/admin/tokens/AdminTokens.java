package gatehouse.admin.tokens;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;
import gatehouse.platform.TokenHashes;

/**
 * The admin-token store. Operators choose some tokens themselves ({@code GATEHOUSE_ADMIN_TOKEN}),
 * so a plain hash would let a stolen database be searched offline for weak ones: hashes are keyed
 * (HMAC-SHA256 with a key derived from the master key, which never enters the database), and
 * chosen tokens must be at least {@value #MIN_LENGTH} characters. A check is one HMAC and one
 * indexed read. The time of last use is kept in memory and written at most once per
 * flush interval per token, so a busy API client does not cost a database write per request.
 */
@Service
public class AdminTokens {
    public static final int MIN_LENGTH = 32;
    static final String ENV_NAME = "GATEHOUSE_ADMIN_TOKEN";
    private static final Logger log = LoggerFactory.getLogger(AdminTokens.class);

    private final AdminTokenRepository repo;
    private final byte[] hashKey;
    private final Clock clock;
    /** Uses not yet written: token id → latest use. */
    private final Map<String, Instant> pendingUse = new ConcurrentHashMap<>();

    @Autowired
    AdminTokens(AdminTokenRepository repo, SecretBox secrets) {
        this(repo, secrets.derivedKey("admin-token-hash"), Clock.systemUTC());
    }

    AdminTokens(AdminTokenRepository repo, byte[] hashKey, Clock clock) {
        this.repo = repo;
        this.hashKey = hashKey.clone();
        this.clock = clock;
    }

    /** A freshly created token and its secret, which is shown this one time. */
    public record Created(AdminToken token, String secret) {
    }

    /** The token a request presented: its id and name, and the user it acts as (null: an administrator's token). */
    public record Authenticated(String tokenId, String tokenName, String userId) {
    }

    /** The caller a presented bearer token stands for, or empty when it is unknown or revoked. */
    @Transactional
    public Optional<Authenticated> authenticate(String presented) {
        if (presented == null || presented.isBlank()) {
            return Optional.empty();
        }
        Optional<AdminToken> found = find(presented.trim());
        if (found.isEmpty() || !found.get().active()) {
            return Optional.empty();
        }
        AdminToken t = found.get();
        pendingUse.merge(t.id(), clock.instant(), (a, b) -> a.isAfter(b) ? a : b);
        return Optional.of(new Authenticated(t.id(), t.name(), t.userId()));
    }

    /** Every token, oldest first, with its latest use (including uses not yet written). */
    public List<AdminToken> list() {
        return repo.all().stream().map(this::withPendingUse).toList();
    }

    public Optional<AdminToken> get(String id) {
        return repo.byId(id).map(this::withPendingUse);
    }

    /** A new random token named {@code name}; {@code userId} when it acts as that user, else null. */
    @Transactional
    public Created create(String name, String userId) {
        String secret = Ids.secret("gha");
        AdminToken t = new AdminToken(Ids.id("adt"), validName(name), userId, false, clock.instant(), null, null);
        repo.insert(t, keyedHash(secret));
        return new Created(t, secret);
    }

    /**
     * Revokes a token. The last active administrator token (one not acting as a user) is kept, so
     * the API cannot lock every administrator out; create another first.
     */
    @Transactional
    public AdminToken revoke(String id) {
        AdminToken t = repo.byId(id).orElseThrow(() -> ProblemException.notFound("admin token", id));
        if (!t.active()) {
            return t;
        }
        if (t.userId() == null && repo.activeOperatorCount() <= 1) {
            throw ProblemException.conflict(null, "'" + t.name() + "' is the last admin token; create another (POST /api/v1/admin-tokens) "
                    + "before revoking it");
        }
        repo.revoke(id, clock.instant());
        pendingUse.remove(id);
        log.info("Admin token {} ('{}') revoked", id, t.name());
        return repo.byId(id).orElseThrow();
    }

    /**
     * Stores an operator-chosen token under {@code name} unless it is already stored; a revoked
     * one is made usable again. For declarative set-ups and tests.
     */
    @Transactional
    public AdminToken ensure(String token, String name) {
        String chosen = validChosen(token, "an admin token");
        Optional<AdminToken> existing = find(chosen);
        if (existing.isPresent()) {
            if (!existing.get().active()) {
                repo.reinstate(existing.get().id(), existing.get().name(), existing.get().bootstrap());
            }
            return repo.byId(existing.get().id()).orElseThrow();
        }
        AdminToken t = new AdminToken(Ids.id("adt"), validName(name), null, false, clock.instant(), null, null);
        repo.insert(t, keyedHash(chosen));
        return t;
    }

    /**
     * Start-up: the environment's token, when given, becomes the one bootstrap token (earlier
     * bootstrap tokens are revoked, so rotating {@code GATEHOUSE_ADMIN_TOKEN} and restarting
     * retires the old one; tokens created through the API stay). Without it, and with no active
     * administrator token at all, a token is generated and answered so it can be shown once.
     */
    @Transactional
    public Optional<String> bootstrap(String fromEnvironment) {
        Instant now = clock.instant();
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            String chosen = validChosen(fromEnvironment, ENV_NAME);
            String name = ENV_NAME;
            Optional<AdminToken> existing = find(chosen);
            if (existing.isPresent() && existing.get().userId() != null) {
                throw new WeakAdminTokenException(ENV_NAME + " is a token that acts as a user; choose a token of its own");
            }
            AdminToken kept = existing.orElseGet(() -> new AdminToken(Ids.id("adt"), name, null, true, now, null, null));
            if (existing.isPresent()) {
                repo.reinstate(kept.id(), name, true);
            } else {
                repo.insert(kept, keyedHash(chosen));
            }
            int retired = repo.revokeBootstrapExcept(kept.id(), now);
            if (retired > 0) {
                log.info("{} replaces {} earlier bootstrap admin token(s); they are revoked", ENV_NAME, retired);
            }
            return Optional.empty();
        }
        if (repo.activeOperatorCount() > 0) {
            return Optional.empty();
        }
        String secret = Ids.secret("gha");
        repo.insert(new AdminToken(Ids.id("adt"), "generated at start", null, true, now, null, null), keyedHash(secret));
        return Optional.of(secret);
    }

    /** Writes the uses seen since the last flush (one UPDATE per used token). */
    @Scheduled(fixedDelayString = "${gatehouse.admin-tokens.last-use-flush:30s}", initialDelayString = "${gatehouse.admin-tokens.last-use-flush:30s}")
    public void flushLastUse() {
        for (String id : List.copyOf(pendingUse.keySet())) {
            Instant when = pendingUse.remove(id);
            if (when != null) {
                repo.touch(id, when);
            }
        }
    }

    /**
     * Best effort and bounded: when the database is already gone, waiting for a pool connection
     * would hold the whole shutdown for the pool's timeout.
     */
    @PreDestroy
    void flushOnShutdown() {
        if (pendingUse.isEmpty()) {
            return;
        }
        Thread flush = Thread.ofVirtual().unstarted(() -> {
            try {
                flushLastUse();
            } catch (RuntimeException e) {
                log.warn("Could not record the last use of admin tokens at shutdown: {}", e.getMessage());
            }
        });
        flush.start();
        try {
            if (!flush.join(java.time.Duration.ofSeconds(3))) {
                log.warn("Gave up recording the last use of admin tokens at shutdown: the database did not answer within 3 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The token a secret belongs to; a token stored by an older version as plain SHA-256 is re-hashed on the way. */
    private Optional<AdminToken> find(String secret) {
        String keyed = keyedHash(secret);
        Optional<AdminTokenRepository.Stored> stored = repo.byHash(keyed);
        if (stored.isPresent()) {
            return stored.map(AdminTokenRepository.Stored::token);
        }
        Optional<AdminTokenRepository.Stored> legacy = repo.byHash(TokenHashes.sha256(secret))
                .filter(s -> AdminTokenRepository.LEGACY.equals(s.hashKind()));
        legacy.ifPresent(s -> repo.upgradeHash(s.token().id(), keyed));
        return legacy.map(AdminTokenRepository.Stored::token);
    }

    private AdminToken withPendingUse(AdminToken t) {
        Instant pending = pendingUse.get(t.id());
        return pending == null ? t : t.usedAt(pending);
    }

    String keyedHash(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hashKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw ProblemException.invalid("name", "name is required: a label that says who or what uses the token, e.g. \"ci-deploy\"");
        }
        if (name.strip().length() > 128) {
            throw ProblemException.invalid("name", "name is at most 128 characters");
        }
        return name.strip();
    }

    private static String validChosen(String token, String what) {
        String t = token.trim();
        if (t.length() < MIN_LENGTH) {
            throw new WeakAdminTokenException(what + " must be at least " + MIN_LENGTH + " characters (got " + t.length()
                    + "); generate one with: openssl rand -hex 32");
        }
        if (t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new WeakAdminTokenException(what + " may contain only printable ASCII characters without spaces");
        }
        return t;
    }
}
