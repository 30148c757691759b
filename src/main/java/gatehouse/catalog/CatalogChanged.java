package gatehouse.catalog;

/** A new catalog snapshot was published; {@code previous} is the one it replaced. */
public record CatalogChanged(CatalogSnapshot previous, CatalogSnapshot current) {
    public CatalogChanged {
        if (previous == null || current == null) {
            throw new IllegalArgumentException("a catalog change has a previous and a current snapshot");
        }
    }
}
