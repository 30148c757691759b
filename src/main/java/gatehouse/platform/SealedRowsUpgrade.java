package gatehouse.platform;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Re-seals secrets written before sealed values were bound to their rows ({@code v1:}) so that each
 * opens only in its own table, column and row ({@code v2:}). Runs once at start, row by row, and
 * changes a row only if it still holds the value it read (another replica may be doing the same).
 */
@Component
public class SealedRowsUpgrade {
    private static final Logger log = LoggerFactory.getLogger(SealedRowsUpgrade.class);

    /** Every sealed column: table, its id column, the sealed column. */
    static final List<List<String>> COLUMNS = List.of(
            List.of("servers", "id", "env_sealed"),
            List.of("servers", "id", "headers_sealed"),
            List.of("identities", "id", "secret_sealed"),
            List.of("signing_keys", "kid", "private_sealed"));

    private final JdbcClient jdbc;
    private final SecretBox secrets;

    SealedRowsUpgrade(JdbcClient jdbc, SecretBox secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void upgrade() {
        int n = 0;
        for (List<String> c : COLUMNS) {
            String table = c.get(0);
            String idColumn = c.get(1);
            String column = c.get(2);
            List<Map<String, Object>> rows = jdbc.sql("SELECT " + idColumn + " AS row_id, " + column + " AS sealed FROM " + table
                    + " WHERE " + column + " LIKE 'v1:%'").query().listOfRows();
            for (Map<String, Object> row : rows) {
                String id = String.valueOf(value(row, "row_id"));
                String old = String.valueOf(value(row, "sealed"));
                String bound = secrets.encrypt(secrets.decrypt(old), SecretBox.context(table, column, id));
                n += jdbc.sql("UPDATE " + table + " SET " + column + " = ? WHERE " + idColumn + " = ? AND " + column + " = ?")
                        .params(bound, id, old).update();
            }
        }
        if (n > 0) {
            log.info("bound {} stored secrets to their rows", n);
        }
    }

    private static Object value(Map<String, Object> row, String key) {
        return row.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(key)).map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
