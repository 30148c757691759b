package gatehouse.audit;

/**
 * Told about every log record as the writer takes it, before it reaches the database (so metrics
 * and OTLP export keep counting while the database is away). Called on the writer's thread, never
 * on the request path; must not block for long and should not throw.
 */
public interface LogRecordListener {
    void recorded(StoredRecord record);
}
