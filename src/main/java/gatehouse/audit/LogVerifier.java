package gatehouse.audit;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import gatehouse.platform.SecretBox;

/**
 * Walks the hash chain from the oldest record left to the newest, recomputing each record's HMAC,
 * and reports the first record whose content or link does not match: an edited field, a deleted
 * record (the next one's link points to a hash nobody has), an inserted one. Streams, like exports.
 */
@Component
public class LogVerifier {
    private final JdbcTemplate streaming;
    private final TransactionTemplate readOnly;
    private final HashChain chain;

    LogVerifier(DataSource dataSource, PlatformTransactionManager tx, SecretBox secrets) {
        this.streaming = new JdbcTemplate(dataSource);
        this.streaming.setFetchSize(1000);
        this.readOnly = new TransactionTemplate(tx);
        this.readOnly.setReadOnly(true);
        this.chain = new HashChain(secrets.derivedKey("audit-hash-chain"));
    }

    /** The outcome: {@code ok}, how many records were checked, and the first broken link if any. */
    public record Result(boolean ok, long checked, long unchained, Map<String, Object> firstBroken) {
    }

    public Result verify() {
        long[] counts = new long[2];
        String[] previous = {null};
        Map<String, Object>[] broken = new Map[1];
        readOnly.executeWithoutResult(status -> streaming.query(
                "SELECT * FROM log_records ORDER BY id", rs -> {
                    if (broken[0] != null) {
                        return;
                    }
                    String hash = rs.getString("chain_hash");
                    if (hash == null) {
                        counts[1]++;
                        return;
                    }
                    counts[0]++;
                    String prev = rs.getString("chain_prev");
                    StoredRecord r = LogQuery.stored(rs);
                    String reason = null;
                    if (prev == null) {
                        reason = "the record has a hash but no link to a previous one";
                    } else if (previous[0] != null && !previous[0].equals(prev)) {
                        reason = "the link does not match the previous record's hash (a record before it was removed, inserted or changed)";
                    } else if (!chain.hash(prev, r).equals(hash)) {
                        reason = "the record's content does not match its hash (it was changed)";
                    }
                    if (reason != null) {
                        Map<String, Object> b = new LinkedHashMap<>();
                        b.put("id", rs.getLong("id"));
                        b.put("time", r.time().toString());
                        b.put("reason", reason);
                        broken[0] = b;
                        return;
                    }
                    previous[0] = hash;
                }));
        return new Result(broken[0] == null, counts[0], counts[1], broken[0]);
    }
}
