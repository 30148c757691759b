package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The chain covers the estimate flag of records that have one, and hashes older records (without it) as before. */
class HashChainTest {
    private final HashChain chain = new HashChain(new byte[32]);

    private static StoredRecord record(Boolean estimated) {
        return new StoredRecord(Instant.parse("2026-12-06T10:00:00.123456Z"), "7", "sess", "conn", "gw", "srv", "user", null, "client",
                "request", "tools/call", "fx__echo", 1.5, 0.75, 1200, 1500, 6000, "ok", null, null, null, "cli", "1.0", null, null,
                estimated);
    }

    @Test
    void theEstimateFlagIsCoveredAndRecordsWithoutItHashAsBefore() {
        String before = HashChain.canonical(record(null));
        assertThat(before).doesNotContain("estimated").doesNotContain("exact").endsWith("-;");
        assertThat(HashChain.canonical(record(true))).isEqualTo(before + "9:estimated;");
        assertThat(HashChain.canonical(record(false))).isEqualTo(before + "5:exact;");

        String genesis = HashChain.GENESIS;
        assertThat(chain.hash(genesis, record(true))).isNotEqualTo(chain.hash(genesis, record(false)))
                .isNotEqualTo(chain.hash(genesis, record(null)));
        assertThat(chain.hash(genesis, record(false))).isNotEqualTo(chain.hash(genesis, record(null)));
        assertThat(chain.hash(genesis, record(true))).isEqualTo(chain.hash(genesis, record(true)));
    }
}
