package gatehouse.admin.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import gatehouse.platform.ProblemException;
import gatehouse.testing.TestPostgres;

/**
 * The admin-token store against a freshly migrated database, H2 and PostgreSQL: keyed hashes,
 * the environment's token replacing earlier bootstrap tokens, short tokens refused, revocation,
 * the last token kept, last use written only on flush, and tokens stored by the version before
 * the keyed hash still accepted (and re-hashed on first use).
 */
class AdminTokensTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String CHOSEN = "operator-chosen-token-0123456789abcdef";

    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    private static DataSource dataSource(String kind) {
        return switch (kind) {
            case "h2" -> new DriverManagerDataSource("jdbc:h2:mem:admintokens-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
            case "postgresql" -> new DriverManagerDataSource(TestPostgres.newDatabase(), "postgres", "");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static JdbcClient migrated(DataSource ds, String target) {
        var config = Flyway.configure().dataSource(ds).locations("classpath:db/migration");
        if (target != null) {
            config.target(MigrationVersion.fromVersion(target));
        }
        config.load().migrate();
        return JdbcClient.create(ds);
    }

    private static AdminTokens store(JdbcClient jdbc, Clock clock) {
        return new AdminTokens(new AdminTokenRepository(jdbc), KEY, clock);
    }

    private static Instant lastUsedInDatabase(JdbcClient jdbc, String id) {
        return jdbc.sql("SELECT last_used_at FROM admin_tokens WHERE id = ?").param(id).query(Timestamp.class).optional()
                .map(Timestamp::toInstant).orElse(null);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void tokensAreStoredAsKeyedHashesNeverAsPlainSha256(String db) throws Exception {
        JdbcClient jdbc = migrated(dataSource(db), null);
        AdminTokens tokens = store(jdbc, Clock.systemUTC());
        tokens.bootstrap(CHOSEN);
        AdminTokens.Created created = tokens.create("ci-deploy", null);

        List<String> stored = jdbc.sql("SELECT token_hash FROM admin_tokens").query(String.class).list();
        assertThat(stored).hasSize(2).doesNotContain(sha256(CHOSEN), sha256(created.secret()), CHOSEN, created.secret())
                .contains(tokens.keyedHash(CHOSEN), tokens.keyedHash(created.secret()));
        // another master key derives another hash key: the same database does not accept the token
        AdminTokens otherKey = new AdminTokens(new AdminTokenRepository(jdbc), "another-key-another-key-another!".getBytes(StandardCharsets.US_ASCII),
                Clock.systemUTC());
        assertThat(otherKey.authenticate(CHOSEN)).isEmpty();
        assertThat(tokens.authenticate(CHOSEN)).map(AdminTokens.Authenticated::tokenName).contains("GATEHOUSE_ADMIN_TOKEN");
        assertThat(tokens.authenticate(created.secret())).map(AdminTokens.Authenticated::tokenName).contains("ci-deploy");
        assertThat(tokens.authenticate(created.secret() + "x")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theEnvironmentsTokenReplacesEarlierBootstrapTokensButNotCreatedOnes(String db) {
        JdbcClient jdbc = migrated(dataSource(db), null);
        AdminTokens tokens = store(jdbc, Clock.systemUTC());
        Optional<String> generated = tokens.bootstrap(null);
        assertThat(generated).isPresent();
        assertThat(tokens.bootstrap(null)).as("a second start without the variable generates nothing").isEmpty();
        AdminTokens.Created ci = tokens.create("ci", null);

        tokens.bootstrap(CHOSEN);
        assertThat(tokens.authenticate(generated.get())).as("the generated token is retired").isEmpty();
        assertThat(tokens.authenticate(CHOSEN)).isPresent();
        assertThat(tokens.authenticate(ci.secret())).as("a token created through the API stays").isPresent();

        String rotated = "rotated-operator-token-abcdefghijklmnopqrstuvwxyz";
        tokens.bootstrap(rotated);
        assertThat(tokens.authenticate(CHOSEN)).as("the old GATEHOUSE_ADMIN_TOKEN after rotation").isEmpty();
        assertThat(tokens.authenticate(rotated)).isPresent();
        assertThat(tokens.list()).filteredOn(AdminToken::active).extracting(AdminToken::name).containsExactlyInAnyOrder("ci", "GATEHOUSE_ADMIN_TOKEN");

        tokens.bootstrap(rotated);
        assertThat(tokens.list()).as("a restart with the same token changes nothing").hasSize(4).filteredOn(AdminToken::active).hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void chosenTokensShorterThan32CharactersAreRefused(String db) {
        AdminTokens tokens = store(migrated(dataSource(db), null), Clock.systemUTC());
        assertThatThrownBy(() -> tokens.bootstrap("change-me"))
                .isInstanceOf(WeakAdminTokenException.class)
                .hasMessageContaining("GATEHOUSE_ADMIN_TOKEN must be at least 32 characters (got 9)");
        assertThatThrownBy(() -> tokens.bootstrap("x".repeat(31))).isInstanceOf(WeakAdminTokenException.class);
        assertThatThrownBy(() -> tokens.bootstrap("with a space in it 0123456789abcdef")).isInstanceOf(WeakAdminTokenException.class)
                .hasMessageContaining("without spaces");
        assertThat(tokens.list()).isEmpty();
        tokens.bootstrap("x".repeat(32));
        assertThat(tokens.authenticate("x".repeat(32))).isPresent();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void revokedTokensStopWorkingAndTheLastOneIsKept(String db) {
        AdminTokens tokens = store(migrated(dataSource(db), null), Clock.systemUTC());
        tokens.bootstrap(CHOSEN);
        String bootstrapId = tokens.authenticate(CHOSEN).orElseThrow().tokenId();
        assertThatThrownBy(() -> tokens.revoke(bootstrapId)).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.getMessage()).contains("last admin token", "POST /api/v1/admin-tokens");
        });
        AdminTokens.Created second = tokens.create("second", null);
        AdminToken revoked = tokens.revoke(bootstrapId);
        assertThat(revoked.revokedAt()).isNotNull();
        assertThat(tokens.authenticate(CHOSEN)).isEmpty();
        assertThat(tokens.revoke(bootstrapId).revokedAt()).as("revoking twice is harmless").isEqualTo(revoked.revokedAt());
        assertThatThrownBy(() -> tokens.revoke("adt_missing")).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        // a restart with the same GATEHOUSE_ADMIN_TOKEN makes it valid again: the environment is the operator's word
        tokens.bootstrap(CHOSEN);
        assertThat(tokens.authenticate(CHOSEN)).isPresent();
        assertThat(tokens.authenticate(second.secret())).isPresent();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void lastUseIsKeptInMemoryAndWrittenOnFlush(String db) {
        JdbcClient jdbc = migrated(dataSource(db), null);
        Instant t0 = Instant.parse("2026-12-06T08:00:00Z");
        MutableClock clock = new MutableClock(t0);
        AdminTokens tokens = store(jdbc, clock);
        AdminTokens.Created c = tokens.create("busy-client", null);

        for (int i = 0; i < 50; i++) {
            clock.now = t0.plusSeconds(i);
            assertThat(tokens.authenticate(c.secret())).isPresent();
        }
        assertThat(lastUsedInDatabase(jdbc, c.token().id())).as("no write per request").isNull();
        assertThat(tokens.get(c.token().id()).orElseThrow().lastUsedAt()).as("the list already shows it").isEqualTo(t0.plusSeconds(49));

        tokens.flushLastUse();
        assertThat(lastUsedInDatabase(jdbc, c.token().id())).isEqualTo(t0.plusSeconds(49));
        // a flush from another replica with an older time does not move it back
        new AdminTokenRepository(jdbc).touch(c.token().id(), t0);
        assertThat(lastUsedInDatabase(jdbc, c.token().id())).isEqualTo(t0.plusSeconds(49));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void tokensStoredBeforeTheKeyedHashStillWorkAndAreRehashedOnFirstUse(String db) throws Exception {
        DataSource ds = dataSource(db);
        JdbcClient old = migrated(ds, "4");
        String legacyToken = "gha_legacy_generated_token_abcdefghijklmnopqrstuvwxyz";
        old.sql("INSERT INTO admin_tokens (token_hash, name, created_at) VALUES (?, ?, ?)")
                .params(sha256(legacyToken), "bootstrap (generated)", Timestamp.from(Instant.now())).update();
        old.sql("INSERT INTO admin_tokens (token_hash, name, created_at) VALUES (?, ?, ?)")
                .params(sha256("an-api-token-stored-before-0123456789"), "scripts", Timestamp.from(Instant.now())).update();

        JdbcClient jdbc = migrated(ds, null);
        AdminTokens tokens = store(jdbc, Clock.systemUTC());
        assertThat(tokens.list()).extracting(AdminToken::name, AdminToken::bootstrap)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("bootstrap (generated)", true),
                        org.assertj.core.groups.Tuple.tuple("scripts", false));

        assertThat(tokens.authenticate(legacyToken)).isPresent();
        assertThat(jdbc.sql("SELECT token_hash FROM admin_tokens WHERE name = 'bootstrap (generated)'").query(String.class).single())
                .isEqualTo(tokens.keyedHash(legacyToken));
        assertThat(tokens.authenticate(legacyToken)).as("after the upgrade").isPresent();

        tokens.bootstrap(CHOSEN);
        assertThat(tokens.authenticate(legacyToken)).as("an old bootstrap token is replaced like a new one").isEmpty();
        assertThat(tokens.authenticate("an-api-token-stored-before-0123456789")).isPresent();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
