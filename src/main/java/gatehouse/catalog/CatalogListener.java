package gatehouse.catalog;

import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;

/**
 * Told after every new snapshot is published, on the thread that published it. Listeners hear it as
 * an application event, so the catalog depends on none of them (many read the catalog themselves).
 * A listener that fails is logged; the others are still told.
 */
public interface CatalogListener extends ApplicationListener<PayloadApplicationEvent<CatalogChanged>> {
    void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current);

    @Override
    default void onApplicationEvent(PayloadApplicationEvent<CatalogChanged> event) {
        try {
            onCatalogChange(event.getPayload().previous(), event.getPayload().current());
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(CatalogListener.class).warn("catalog listener {} failed", getClass().getSimpleName(), e);
        }
    }
}
