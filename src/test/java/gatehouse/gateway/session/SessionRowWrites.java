package gatehouse.gateway.session;

import java.sql.Connection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.h2.api.Trigger;

/**
 * An H2 trigger that notes every write of a session row (which kind, which key): what the session
 * store really sent to the embedded database, seen from inside it.
 */
public class SessionRowWrites implements Trigger {
    /** One write: INSERT, UPDATE or DELETE of the row keyed {@code key}. */
    public record Write(String kind, String key) {
    }

    private static final Queue<Write> WRITES = new ConcurrentLinkedQueue<>();

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) {
        String kind = oldRow == null ? "INSERT" : newRow == null ? "DELETE" : "UPDATE";
        WRITES.add(new Write(kind, String.valueOf((newRow != null ? newRow : oldRow)[0])));
    }

    /** The writes of the row keyed {@code key} so far, in order. */
    static List<String> of(String key) {
        return WRITES.stream().filter(w -> w.key().equals(key)).map(Write::kind).toList();
    }
}
