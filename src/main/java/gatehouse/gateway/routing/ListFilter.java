package gatehouse.gateway.routing;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.ServerDef;
import tools.jackson.databind.node.ArrayNode;

/** What of one server's list a client may see, decided before the merge (the pipeline's steps). */
@FunctionalInterface
public interface ListFilter {
    /** The visible items, in order; {@code items} itself when all are (never changed in place). */
    ArrayNode admit(Assignment assignment, ServerDef server, String kind, ArrayNode items);

    ListFilter ALL = (assignment, server, kind, items) -> items;
}
