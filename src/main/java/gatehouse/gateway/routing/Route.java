package gatehouse.gateway.routing;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.ServerDef;

/** Where a named feature lives: the assignment (so the server) and its name upstream. */
public record Route(Assignment assignment, ServerDef server, String upstreamName) {
}
