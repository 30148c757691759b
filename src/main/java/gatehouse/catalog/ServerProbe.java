package gatehouse.catalog;

import java.util.Optional;
import java.util.Set;

/** Asks a server which tool names it has, to refuse an assignment whose names would clash. */
public interface ServerProbe {
    /** The server's tool names, or empty if it cannot be reached now. */
    Optional<Set<String>> toolNames(ServerDef server);
}
