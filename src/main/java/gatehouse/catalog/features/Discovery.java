package gatehouse.catalog.features;

import gatehouse.catalog.ServerDef;

/**
 * Listing what a server offers, fresh, and recording it in the inventory. The gateway implements it
 * (it holds the upstream sessions); the catalogue only asks.
 */
public interface Discovery {

    /** Lists every feature of {@code server} now and records it; false when the server could not be listed. */
    boolean discover(ServerDef server);

    /** Discovers now, unless an attempt failed moments ago. */
    void discoverNow(ServerDef server);

    /** Discovers in the background, soon. */
    void discoverSoon(ServerDef server);
}
