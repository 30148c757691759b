package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.SecretBox;
import gatehouse.testing.TestDatabase;

/**
 * The audit writer's barrier: sequence numbers in queue order, {@code awaitWritten} returning only
 * once a record is readable, failing loudly when the writer cannot get there, and shutdown waiting
 * for every queued record, and a trickle of records gathered into few transactions. Runs against a real (in-memory H2) database migrated like production.
 */
class AuditLogTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AuditLog> started = new ArrayList<>();

    @AfterEach
    void stopWriters() {
        started.forEach(AuditLog::stop);
    }

    private static JdbcTemplate database(boolean migrated) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:audit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        if (migrated) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        }
        return new JdbcTemplate(ds);
    }

    private AuditLog start(JdbcTemplate jdbc, Duration shutdownWait) {
        AuditLog log = AuditLogs.standalone(jdbc);
        log.start();
        started.add(log);
        return log;
    }

    /** A started writer that gathers for up to 1 s into batches of up to 500 records, chained. */
    private AuditLog startLingering(JdbcTemplate jdbc) throws java.io.IOException {
        return startLingering(jdbc, true);
    }

    private AuditLog startLingering(JdbcTemplate jdbc, boolean hashChain) throws java.io.IOException {
        GatehouseProperties props = new GatehouseProperties(TestDatabase.newDataDir("audit").toString(), "http://localhost", null);
        AuditLog log = new AuditLog(jdbc, new DataSourceTransactionManager(jdbc.getDataSource()),
                new AuditProperties(Duration.ZERO, hashChain, 1 << 20, 1000, 500, Duration.ofSeconds(1)), props, new SecretBox(props),
                List.of(), null);
        log.start();
        started.add(log);
        return log;
    }

    private static LogRecord record(String correlationId) {
        return new LogRecord(Instant.now(), correlationId, null, "conn", "gw", null, null, "client", "request", "ping", null, 1.0, "ok",
                null, null, null, null, null);
    }

    private static long rows(JdbcTemplate jdbc, String correlationId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM log_records WHERE correlation_id = ?", Long.class, correlationId);
    }

    @Test
    void sequencesStartAtOneAndFollowEachOther() {
        AuditLog log = start(database(true), WAIT);
        assertThat(log.lastQueued()).isZero();
        assertThat(log.record(record("a"))).isEqualTo(1);
        assertThat(log.record(record("b"))).isEqualTo(2);
        assertThat(log.record(record("c"))).isEqualTo(3);
        assertThat(log.lastQueued()).isEqualTo(3);
    }

    @Test
    void afterAwaitingItsSequenceEachProducersRecordIsInTheDatabase() throws Exception {
        JdbcTemplate jdbc = database(true);
        AuditLog log = start(jdbc, WAIT);
        int producers = 4;
        int each = 25;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                String prefix = "p" + p + "-";
                results.add(pool.submit(() -> {
                    List<Long> sequences = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        String id = prefix + i;
                        long seq = log.record(record(id));
                        log.awaitWritten(seq, WAIT);
                        assertThat(rows(jdbc, id)).as("record %s (sequence %d) after awaitWritten", id, seq).isEqualTo(1);
                        sequences.add(seq);
                    }
                    return sequences;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : results) {
                all.addAll(f.get()); // rethrows a producer's assertion failure
            }
            assertThat(all).as("every sequence number given exactly once").doesNotHaveDuplicates().hasSize(producers * each)
                    .allMatch(s -> s >= 1 && s <= producers * each);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM log_records", Long.class)).isEqualTo(producers * each);
    }

    @Test
    void awaitingARecordTheWriterCannotWriteFailsLoudly() {
        AuditLog log = start(database(false), Duration.ofMillis(200)); // no log_records table: every write is refused
        long seq = log.record(record("never"));
        assertThatThrownBy(() -> log.awaitWritten(seq, Duration.ofMillis(300)))
                .isInstanceOf(AuditLog.NotWrittenInTime.class)
                .hasMessageContaining("log record " + seq + " not written");
        assertThat(log.lastWritten()).isZero();
    }

    @Test
    void withoutARunningWriterNothingIsWrittenAndTheWaitSaysSo() {
        AuditLog log = AuditLogs.standalone(database(true)); // never started
        long seq = log.record(record("queued"));
        assertThatThrownBy(() -> log.awaitWritten(seq, Duration.ofMillis(100))).isInstanceOf(AuditLog.NotWrittenInTime.class);
    }

    @Test
    void recordsArrivingWhileTheWriterGathersShareOneTransaction() throws Exception {
        JdbcTemplate jdbc = database(true);
        AtomicInteger transactions = new AtomicInteger();
        DataSourceTransactionManager counting = new DataSourceTransactionManager(jdbc.getDataSource()) {
            @Override
            protected void doBegin(Object transaction, TransactionDefinition definition) {
                transactions.incrementAndGet();
                super.doBegin(transaction, definition);
            }
        };
        GatehouseProperties props = new GatehouseProperties(TestDatabase.newDataDir("audit").toString(), "http://localhost", null);
        AuditLog log = new AuditLog(jdbc, counting, new AuditProperties(Duration.ZERO, true, 1 << 20, 1000, 500, Duration.ofSeconds(1)),
                props, new SecretBox(props), List.of(), null);
        log.start();
        started.add(log);
        log.awaitWritten(log.record(record("warm-up")), WAIT); // the first write opens the database's tables
        transactions.set(0);
        // a trickle: one record at a time, each one long after the writer could have written the one before
        int n = 30;
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = log.record(record("trickle"));
            Thread.sleep(25);
        }
        log.awaitWritten(last, WAIT);
        assertThat(rows(jdbc, "trickle")).isEqualTo(n);
        assertThat(transactions.get()).as("transactions for %d records arriving one by one", n).isBetween(1, n / 3);
    }

    /**
     * Records arriving a few milliseconds apart do not wake the writer one by one: it sleeps through
     * its linger and is woken for the batch, not for each record (it used to look every 2 ms).
     */
    @Test
    void aLingeringWriterWakesPerBatchNotPerRecord() throws Exception {
        JdbcTemplate jdbc = database(true);
        AuditLog log = startLingering(jdbc);
        log.awaitWritten(log.record(record("warm-up")), WAIT);
        long before = log.wakeUps();
        int n = 40;
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = log.record(record("paced"));
            Thread.sleep(5);
        }
        log.awaitWritten(last, WAIT);
        assertThat(rows(jdbc, "paced")).isEqualTo(n);
        assertThat(log.wakeUps() - before).as("writer wake-ups for %d records arriving 5 ms apart", n).isLessThan(n / 4);
    }

    /**
     * A batch far larger than one statement batch (the writer may yield between two) is stored
     * whole, in queue order, each row chained onto the one before it.
     */
    @Test
    void aLargeBatchIsStoredWholeInOrderAcrossStatementBatches() throws Exception {
        JdbcTemplate jdbc = database(true);
        AuditLog log = startLingering(jdbc);
        int n = AuditLog.INSERTS_PER_STATEMENT_BATCH * 12 + 3;
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = log.record(record(String.format("large-%03d", i)));
        }
        log.awaitWritten(last, WAIT);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(String.format("large-%03d", i));
        }
        assertStoredInOrderAndChained(jdbc, "large-", expected);
    }

    /** The rows whose correlation id starts with {@code prefix}: exactly {@code expected} in id order, each linked to the one before. */
    private static void assertStoredInOrderAndChained(JdbcTemplate jdbc, String prefix, List<String> expected) {
        List<java.util.Map<String, Object>> rows = jdbc.queryForList(
                "SELECT correlation_id, chain_prev, chain_hash FROM log_records WHERE correlation_id LIKE ? ORDER BY id", prefix + "%");
        assertThat(rows).extracting(r -> r.get("CORRELATION_ID")).containsExactlyElementsOf(expected);
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).get("CHAIN_PREV")).as("row %d's link", i).isEqualTo(rows.get(i - 1).get("CHAIN_HASH"));
        }
    }

    /**
     * A row the database refuses in a later statement batch of a large batch: the batch is undone and
     * written again row by row, so every other record is stored once, in order (chained when the
     * chain is on), and the refused one is counted as dropped.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "hash chain {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aRowRefusedInALaterStatementBatchCostsOnlyThatRow(boolean hashChain) throws Exception {
        JdbcTemplate jdbc = database(true);
        jdbc.execute("ALTER TABLE log_records ADD CONSTRAINT refuse_poison CHECK (correlation_id <> 'poison')");
        AuditLog log = startLingering(jdbc, hashChain);
        int n = AuditLog.INSERTS_PER_STATEMENT_BATCH * 3 + 2;
        int poison = AuditLog.INSERTS_PER_STATEMENT_BATCH * 2 + 3;
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = log.record(record(i == poison ? "poison" : String.format("kept-%03d", i)));
        }
        log.awaitWritten(last, WAIT);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i != poison) {
                expected.add(String.format("kept-%03d", i));
            }
        }
        assertStoredInOrderAndChained(jdbc, "kept-", expected); // without the chain its columns are empty: null links to null
        assertThat(log.dropped()).isEqualTo(1);
    }

    /**
     * Only the embedded database, whose inserts run on the writer's own core, gets its batch in
     * statement batches of 8; PostgreSQL gets it as one statement batch (one round trip), and a
     * large batch is stored whole there too.
     */
    @Test
    void onlyTheEmbeddedDatabaseGetsSmallStatementBatches() throws Exception {
        JdbcTemplate h2 = database(true);
        assertThat(gatehouse.platform.InProcessDatabase.is(h2.getDataSource())).as("H2 in memory").isTrue();
        assertThat(startLingering(h2).statementBatchRows(80)).as("statement batch on H2").isEqualTo(AuditLog.INSERTS_PER_STATEMENT_BATCH);
        org.springframework.jdbc.datasource.DriverManagerDataSource pg = new org.springframework.jdbc.datasource.DriverManagerDataSource(
                gatehouse.testing.TestPostgres.newDatabase(), "postgres", "");
        Flyway.configure().dataSource(pg).locations("classpath:db/migration", "classpath:db/vendor/postgresql").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(pg);
        assertThat(gatehouse.platform.InProcessDatabase.is(jdbc.getDataSource())).as("PostgreSQL").isFalse();
        AuditLog log = startLingering(jdbc);
        assertThat(log.statementBatchRows(80)).as("statement batch on PostgreSQL").isEqualTo(80);
        int n = AuditLog.INSERTS_PER_STATEMENT_BATCH * 5 + 1;
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = log.record(record("pg-large"));
        }
        log.awaitWritten(last, WAIT);
        assertThat(rows(jdbc, "pg-large")).isEqualTo(n);
        assertThat(gatehouse.platform.InProcessDatabase.is(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                "jdbc:postgresql://127.0.0.1:" + gatehouse.testing.RefusedPort.port() + "/nothing", "postgres", ""))).as("a database that does not answer")
                .isFalse();
    }

    @Test
    void shutdownWritesEveryQueuedRecordBeforeItReturns() {
        JdbcTemplate jdbc = database(true);
        AuditLog log = AuditLogs.standalone(jdbc);
        log.start();
        int n = 1_200;
        for (int i = 0; i < n; i++) {
            log.record(record("shutdown"));
        }
        log.stop();
        assertThat(log.isRunning()).isFalse();
        assertThat(log.lastWritten()).isEqualTo(n);
        assertThat(rows(jdbc, "shutdown")).isEqualTo(n);
    }

    @Test
    void shutdownWhileTheDatabaseRefusesEveryWriteEndsAndReportsTheLoss() {
        AuditLog log = AuditLogs.standalone(database(false));
        log.start();
        log.record(record("lost"));
        log.stop(); // returns after its wait instead of retrying forever
        assertThat(log.isRunning()).isFalse();
        assertThat(log.lastWritten()).isZero();
    }
    /** What the request's arguments measure is taken by the writer: the request thread only queues the node. */
    @Test
    void theArgumentsAreMeasuredOnTheWritersThreadNotTheCallers() {
        JdbcTemplate jdbc = database(true);
        AuditLog log = start(jdbc, WAIT);
        List<String> serializedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        Object watched = new Object() {
            @com.fasterxml.jackson.annotation.JsonValue
            public String value() {
                serializedOn.add(Thread.currentThread().getName());
                return "Zürich";
            }
        };
        tools.jackson.databind.node.ObjectNode arguments = gatehouse.platform.Json.object();
        arguments.set("city", gatehouse.platform.Json.MAPPER.getNodeFactory().pojoNode(watched));
        LogRecord r = record("measured").withTiming(arguments, 0.5, null);
        log.awaitWritten(log.record(r), WAIT);
        assertThat(serializedOn).as("threads that serialized the arguments").isNotEmpty()
                .allMatch("audit-writer"::equals);
        assertThat(jdbc.queryForObject("SELECT arguments_bytes FROM log_records WHERE correlation_id = 'measured'", Integer.class))
                .as("UTF-8 size of {\"city\":\"Zürich\"}").isEqualTo("{\"city\":\"Zürich\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    /**
     * A call's arguments are also what its input tokens are counted from: the writer writes them to
     * JSON once for both, and both figures are what measuring them apart gives.
     */
    @Test
    void aCallsArgumentsAreWrittenToJsonOnceForTheirSizeAndTheirTokens() {
        JdbcTemplate jdbc = database(true);
        AuditLog log = start(jdbc, WAIT);
        java.util.concurrent.atomic.AtomicInteger serialized = new java.util.concurrent.atomic.AtomicInteger();
        Object watched = new Object() {
            @com.fasterxml.jackson.annotation.JsonValue
            public String value() {
                serialized.incrementAndGet();
                return "Zürich \uD83D\uDE00 ünd mehr";
            }
        };
        tools.jackson.databind.node.ObjectNode arguments = gatehouse.platform.Json.object();
        arguments.set("city", gatehouse.platform.Json.MAPPER.getNodeFactory().pojoNode(watched));
        LogRecord r = new LogRecord(Instant.now(), "once", null, "conn", "gw", null, null, "client", "request", "tools/call", "weather",
                1.0, "ok", null, null, null, arguments, null).withTiming(arguments, 0.5, null);
        log.awaitWritten(log.record(r), WAIT);
        assertThat(serialized.get()).as("times the arguments were written to JSON").isEqualTo(1);
        String json = "{\"city\":\"Zürich \uD83D\uDE00 ünd mehr\"}";
        java.util.Map<String, Object> row = jdbc.queryForMap("SELECT arguments_bytes, input_tokens FROM log_records WHERE correlation_id = 'once'");
        assertThat(((Number) row.get("ARGUMENTS_BYTES")).intValue()).isEqualTo(json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(((Number) row.get("INPUT_TOKENS")).intValue()).isEqualTo(new TokenCounter().count(json));
    }

    /**
     * A tool result passed through as bytes that are not UTF-8 cannot have its tokens counted: the
     * record is still written (without the count), and so are the records in its batch.
     */
    @Test
    void aResultThatIsNotUtf8IsLoggedWithoutItsTokenCount() {
        JdbcTemplate jdbc = database(true);
        AuditLog log = start(jdbc, WAIT);
        byte[] result = "{\"content\":[{\"type\":\"text\",\"text\":\"line\\nXX end\"}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String text = new String(result, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("XX");
        result[at] = (byte) 0xff;
        result[at + 1] = (byte) 0xfe;
        tools.jackson.databind.JsonNode output = gatehouse.platform.Json.MAPPER.getNodeFactory()
                .pojoNode(new gatehouse.platform.JsonText(result, 0, result.length));
        log.record(record("before"));
        LogRecord r = new LogRecord(Instant.now(), "not-utf8", null, "conn", "gw", null, null, "client", "request", "tools/call", "t",
                1.0, "ok", null, null, null, null, output);
        log.record(r);
        log.awaitWritten(log.record(record("after")), WAIT);
        assertThat(rows(jdbc, "before") + rows(jdbc, "not-utf8") + rows(jdbc, "after")).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT output_tokens FROM log_records WHERE correlation_id = 'not-utf8'", Integer.class)).isNull();
        assertThat(log.dropped()).isZero();
    }

    /**
     * Each writer keeps the chain head it stored last instead of reading it for every batch; when
     * another writer on the same database (a replica) moved it meanwhile, the batch goes again the
     * locking way, and the chain stays one.
     */
    @Test
    void aWriterWhoseChainHeadWasMovedByAnotherWriterRereadsItAndTheChainStaysWhole() throws Exception {
        JdbcTemplate jdbc = database(true);
        GatehouseProperties props = new GatehouseProperties(TestDatabase.newDataDir("audit").toString(), "http://localhost", null);
        SecretBox secrets = new SecretBox(props);
        AuditLog one = AuditLogs.standalone(jdbc, props, new AuditProperties(Duration.ZERO, true, 1 << 20, 1000, 500), secrets);
        AuditLog two = AuditLogs.standalone(jdbc, props, new AuditProperties(Duration.ZERO, true, 1 << 20, 1000, 500), secrets);
        one.start();
        started.add(one);
        two.start();
        started.add(two);
        one.awaitWritten(one.record(record("one-1")), WAIT);
        assertThat(one.headStatements()).as("first batch: lock, read, move").isEqualTo(3);
        one.awaitWritten(one.record(record("one-2")), WAIT);
        assertThat(one.headStatements()).as("next batch: the head kept in memory is moved on").isEqualTo(4);
        two.awaitWritten(two.record(record("two-1")), WAIT);
        one.awaitWritten(one.record(record("one-3")), WAIT);
        assertThat(one.headStatements()).as("moved by the other writer: the move fails, then lock, read, move").isEqualTo(4 + 1 + 3);
        List<String> order = jdbc.queryForList("SELECT correlation_id FROM log_records ORDER BY id", String.class);
        assertThat(order).containsExactly("one-1", "one-2", "two-1", "one-3");
        LogVerifier.Result verified = new LogVerifier(jdbc.getDataSource(), new DataSourceTransactionManager(jdbc.getDataSource()),
                secrets).verify();
        assertThat(verified.ok()).as("one chain: %s", verified.firstBroken()).isTrue();
        assertThat(verified.checked()).isEqualTo(4);
    }
}
