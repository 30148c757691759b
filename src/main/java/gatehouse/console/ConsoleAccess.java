package gatehouse.console;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.identity.Directory;
import gatehouse.identity.Roles;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.AdminPolicy;
import gatehouse.policy.access.Grant;
import gatehouse.policy.access.Permission;
import gatehouse.policy.access.Target;

/**
 * What the signed-in person may do, asked of the same pure policy ({@link AdminPolicy}) and the same
 * role grants ({@link Roles}) as the admin API. Like the API, a gateway the person may not see
 * answers exactly like a missing one; one they may see but not change answers 403.
 */
@Component
class ConsoleAccess {
    private final Roles roles;
    private final Directory directory;
    private final CatalogService catalog;

    ConsoleAccess(Roles roles, Directory directory, CatalogService catalog) {
        this.roles = roles;
        this.directory = directory;
        this.catalog = catalog;
    }

    /** The signed-in person (a sign-in's principal name is the user's id) and their grants, read once per request. */
    Viewer viewer(Authentication auth) {
        String userId = auth.getName();
        String username;
        try {
            username = directory.user(userId).username();
        } catch (RuntimeException e) {
            username = userId;
        }
        return new Viewer(userId, username, roles.effectiveGrants(userId));
    }

    /** A person's username, for pages that name people. */
    String username(String userId) {
        return directory.user(userId).username();
    }

    Target gatewayTarget(String gatewayId) {
        return new Target.Gateway(gatewayId, directory.snapshot().subsetsByGateway().getOrDefault(gatewayId, Map.of()).keySet());
    }

    boolean may(Viewer v, Permission p, String gatewayId) {
        return AdminPolicy.allows(v.grants(), p, gatewayTarget(gatewayId));
    }

    boolean mayGlobally(Viewer v, Permission p) {
        return AdminPolicy.allows(v.grants(), p, Target.EVERYTHING);
    }

    boolean maySomewhere(Viewer v, Permission p) {
        return AdminPolicy.allowsSomewhere(v.grants(), p);
    }

    /** The gateways the person may see, oldest first. */
    List<GatewayDef> visibleGateways(Viewer v) {
        return catalog.snapshot().gateways().values().stream().filter(g -> may(v, Permission.GATEWAY_READ, g.id()))
                .sorted(Comparator.comparing(GatewayDef::createdAt)).toList();
    }

    /**
     * The gateway, if the person holds {@code p} on it. One they may not even read is "not found",
     * word for word as a missing one; one they may read but not act on is 403.
     */
    GatewayDef gateway(Viewer v, String gatewayId, Permission p) {
        GatewayDef g = gatewayId == null ? null : catalog.snapshot().gateways().get(gatewayId);
        if (g == null || !may(v, Permission.GATEWAY_READ, gatewayId)) {
            throw ProblemException.notFound("gateway", gatewayId);
        }
        if (!may(v, p, gatewayId)) {
            throw forbidden(p);
        }
        return g;
    }

    void requireGlobal(Viewer v, Permission p) {
        if (!mayGlobally(v, p)) {
            throw forbidden(p);
        }
    }

    static ProblemException forbidden(Permission p) {
        return new ProblemException(403, "Forbidden", "this needs the permission '" + p.wire() + "'", null);
    }

    /** The signed-in person as the pages see them. */
    record Viewer(String userId, String username, List<Grant> grants) {
        Viewer {
            grants = List.copyOf(grants);
        }
    }
}
