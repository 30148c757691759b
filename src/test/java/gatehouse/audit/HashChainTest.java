package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

/** The chain covers the estimate flag of records that have one, and hashes older records (without it) as before. */
class HashChainTest {
    private final HashChain chain = new HashChain(new byte[32]);

    private static StoredRecord record(Boolean estimated) {
        return new StoredRecord(Instant.parse("2026-12-06T10:00:00.123456Z"), "7", "sess", "conn", "gw", "srv", "user", null, "client",
                "request", "tools/call", "fx__echo", 1.5, 0.75, 1200, 1500, 6000, "ok", null, null, null, "cli", "1.0", null, null,
                estimated);
    }

    private static String canonical(StoredRecord r) {
        return new String(HashChain.canonical(r), StandardCharsets.UTF_8);
    }

    /**
     * The canonical text as the chain's first version built it: a string of length-prefixed fields
     * (lengths in UTF-16 characters), encoded to UTF-8 as a whole. Records stored since then must
     * keep verifying, so the bytes written straight into a buffer must be these.
     */
    private static byte[] firstVersion(StoredRecord r) {
        StringBuilder b = new StringBuilder();
        long micros = r.time().getEpochSecond() * 1_000_000L + r.time().getNano() / 1_000;
        Object[] fields = {Long.toString(micros), r.correlationId(), r.sessionId(), r.connectionId(), r.gatewayId(), r.serverId(),
            r.userId(), r.hostId(), r.direction(), r.kind(), r.method(), r.tool(), Double.toString(r.durationMs()), r.upstreamMs(),
            r.inputTokens(), r.outputTokens(), r.argumentsBytes(), r.status(), r.errorCode(), r.errorMessage(), r.decisions(),
            r.clientName(), r.clientVersion(), r.traceId()};
        for (Object f : fields) {
            String v = f == null ? null : f.toString();
            b.append(v == null ? "-;" : v.length() + ":" + v + ";");
        }
        if (r.tokensEstimated() != null) {
            String v = r.tokensEstimated() ? "estimated" : "exact";
            b.append(v.length()).append(':').append(v).append(';');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static StoredRecord record(String text, Boolean estimated) {
        return new StoredRecord(Instant.parse("2026-12-06T10:00:00.123456Z"), text, "sess", "conn-" + text, "gw", "srv", "user", null,
                "client", "request", "tools/call", text, 1.5, null, 12, null, 60, "error", -32000, text, "[{\"step\":\"" + text + "\"}]",
                text, "1.0", null, null, estimated);
    }

    @Test
    void theBytesHashedAreTheFirstVersionsForTextsOfEveryKind() throws Exception {
        String[] texts = {"", "plain", "Zürich naïve", "日本語", "emoji 😀 and 👍🏽", "lone \uD83D high", "lone \uDE00 low", "end high \uD83D",
            "\uDE00 start low", "x".repeat(20_000) + "é", "tab\tnew\nline\u0000", "\u00ff\u0100\u07ff\u0800\uffff"};
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        for (String text : texts) {
            for (Boolean estimated : new Boolean[] {null, true, false}) {
                StoredRecord r = record(text, estimated);
                assertThat(HashChain.canonical(r)).as("canonical bytes of %s", text).isEqualTo(firstVersion(r));
                mac.update(HashChain.GENESIS.getBytes(StandardCharsets.US_ASCII));
                String expected = HexFormat.of().formatHex(mac.doFinal(firstVersion(r)));
                assertThat(chain.hash(HashChain.GENESIS, r)).as("hash of %s", text).isEqualTo(expected);
            }
        }
        assertThat(chain.hash(HashChain.GENESIS, record("plain", true))).as("after a long record, the buffer is reused correctly")
                .isEqualTo(chain.hash(HashChain.GENESIS, record("plain", true)));
    }

    @Test
    void theEstimateFlagIsCoveredAndRecordsWithoutItHashAsBefore() {
        String before = canonical(record(null));
        assertThat(before).doesNotContain("estimated").doesNotContain("exact").endsWith("-;");
        assertThat(canonical(record(true))).isEqualTo(before + "9:estimated;");
        assertThat(canonical(record(false))).isEqualTo(before + "5:exact;");

        String genesis = HashChain.GENESIS;
        assertThat(chain.hash(genesis, record(true))).isNotEqualTo(chain.hash(genesis, record(false)))
                .isNotEqualTo(chain.hash(genesis, record(null)));
        assertThat(chain.hash(genesis, record(false))).isNotEqualTo(chain.hash(genesis, record(null)));
        assertThat(chain.hash(genesis, record(true))).isEqualTo(chain.hash(genesis, record(true)));
    }
}
