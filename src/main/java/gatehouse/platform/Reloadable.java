package gatehouse.platform;

/**
 * An in-memory view of configuration that can re-read the database: catalog, directory,
 * provisioning, revocations. {@link ChangeBus} calls it when another replica changed something,
 * besides each view's own periodic refresh.
 */
public interface Reloadable {
    void reload();
}
