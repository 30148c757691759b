package gatehouse.catalog;

/** Told after every new snapshot is published (on the thread that published it). */
public interface CatalogListener {
    void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current);
}
