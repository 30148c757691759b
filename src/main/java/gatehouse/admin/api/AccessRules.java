package gatehouse.admin.api;

import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.Connection;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;
import gatehouse.policy.access.Target;

/**
 * The one table that says which permission every admin API call needs and on what it is checked,
 * by the matched route (path variables written {@code {}}). A call no row matches needs the global
 * {@code admin} permission, so a new endpoint is closed until someone adds its row.
 *
 * <p>A caller who may not even see the gateway or team a call names gets the same 404 as for a
 * missing one; one who may see it but not change it gets 403.
 */
class AccessRules implements HandlerInterceptor {

    /** On what a rule checks its permission. */
    enum On {
        /** Everything: the caller needs the permission globally. */
        GLOBAL,
        /** Some scope suffices; the controller filters what it answers. */
        SOMEWHERE,
        /** The gateway named by the route's first path variable. */
        GATEWAY,
        /** The team named by the route's first path variable. */
        TEAM,
        /** The gateway of the connection named by the route's first path variable. */
        CONNECTION,
        /** The gateway named by the {@code gateway} query parameter, else everything. */
        GATEWAY_PARAM,
        /** The person the route names when the caller is that person; otherwise globally. */
        SELF
    }

    record Rule(String methods, String route, Permission permission, On on) {
        boolean matches(String method, String normalized) {
            if (!methods.equals("*") && !List.of(methods.split(",")).contains(method)) {
                return false;
            }
            return route.endsWith("/**") ? normalized.startsWith(route.substring(0, route.length() - 2)) || normalized.equals(route.substring(0, route.length() - 3))
                    : normalized.equals(route);
        }
    }

    static final List<Rule> RULES = List.of(
            new Rule("GET", "/servers", Permission.GATEWAY_READ, On.SOMEWHERE),
            new Rule("GET", "/servers/{}", Permission.GATEWAY_READ, On.SOMEWHERE),
            new Rule("*", "/servers/**", Permission.GATEWAY_MANAGE, On.GLOBAL),
            new Rule("POST", "/gateways", Permission.GATEWAY_MANAGE, On.GLOBAL),
            new Rule("GET", "/gateways", Permission.GATEWAY_READ, On.SOMEWHERE),
            new Rule("GET", "/gateways/{}", Permission.GATEWAY_READ, On.GATEWAY),
            new Rule("PATCH,DELETE", "/gateways/{}", Permission.GATEWAY_MANAGE, On.GATEWAY),
            new Rule("GET", "/gateways/{}/servers", Permission.GATEWAY_READ, On.GATEWAY),
            new Rule("*", "/gateways/{}/servers/**", Permission.GATEWAY_MANAGE, On.GATEWAY),
            new Rule("GET", "/gateways/{}/features/**", Permission.GATEWAY_READ, On.GATEWAY),
            new Rule("GET", "/gateways/{}/provisioning", Permission.GATEWAY_READ, On.GATEWAY),
            new Rule("*", "/gateways/{}/features/**", Permission.GATEWAY_PROVISION, On.GATEWAY),
            new Rule("*", "/gateways/{}/provisioning", Permission.GATEWAY_PROVISION, On.GATEWAY),
            new Rule("*", "/gateways/{}/rules/**", Permission.GATEWAY_RULES, On.GATEWAY),
            new Rule("GET", "/gateways/{}/logs", Permission.GATEWAY_LOGS, On.GATEWAY),
            new Rule("GET", "/gateways/{}/teams", Permission.GATEWAY_READ, On.GATEWAY),
            new Rule("*", "/gateways/{}/teams/**", Permission.GATEWAY_MANAGE, On.GATEWAY),
            new Rule("GET", "/logs", Permission.GATEWAY_LOGS, On.GATEWAY_PARAM),
            new Rule("GET", "/logs/verify", Permission.GATEWAY_LOGS, On.GLOBAL),
            new Rule("GET", "/connections/{}/logs", Permission.GATEWAY_LOGS, On.CONNECTION),
            new Rule("*", "/alerts/**", Permission.ALERT_MANAGE, On.GLOBAL),
            new Rule("*", "/alert-channels/**", Permission.ALERT_MANAGE, On.GLOBAL),
            new Rule("*", "/hosts/**", Permission.CONNECTION_MANAGE, On.GLOBAL),
            new Rule("GET", "/connections", Permission.CONNECTION_MANAGE, On.GATEWAY_PARAM),
            new Rule("*", "/connections/{}/**", Permission.CONNECTION_MANAGE, On.CONNECTION),
            new Rule("*", "/users/{}/api-tokens/**", Permission.ADMIN, On.SELF),
            new Rule("*", "/users/{}/roles/**", Permission.ADMIN, On.GLOBAL),
            new Rule("*", "/users/**", Permission.USER_MANAGE, On.GLOBAL),
            new Rule("POST", "/teams", Permission.TEAM_MANAGE, On.GLOBAL),
            new Rule("GET", "/teams", Permission.TEAM_MANAGE, On.SOMEWHERE),
            new Rule("DELETE", "/teams/{}", Permission.TEAM_MANAGE, On.GLOBAL),
            new Rule("*", "/teams/{}/**", Permission.TEAM_MANAGE, On.TEAM));

    private final AdminAccess access;
    private final CatalogService catalog;

    AccessRules(AdminAccess access, CatalogService catalog) {
        this.access = access;
        this.catalog = catalog;
    }

    /** The route as the table writes it: without {@code /api/v1}, every path variable as {@code {}}. */
    static String normalize(String pattern) {
        String p = pattern.startsWith("/api/v1") ? pattern.substring("/api/v1".length()) : pattern;
        return p.replaceAll("\\{[^}]*}", "{}");
    }

    static Rule ruleFor(String method, String normalized) {
        return RULES.stream().filter(r -> r.matches(method, normalized)).findFirst()
                .orElse(new Rule("*", normalized, Permission.ADMIN, On.GLOBAL));
    }

    @Override
    public boolean preHandle(HttpServletRequest req, HttpServletResponse resp, Object handler) {
        if (!(handler instanceof HandlerMethod)) {
            return true; // no route: the answer is 404 anyway
        }
        String pattern = (String) req.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        if (pattern == null || !pattern.startsWith("/api/v1") || pattern.equals("/api/v1/openapi.json")) {
            return true;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> vars = (Map<String, String>) req.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        String first = vars == null || vars.isEmpty() ? null : vars.values().iterator().next();
        String normalized = normalize(pattern);
        Rule rule = ruleFor(req.getMethod(), normalized);
        AdminCaller caller = AdminCaller.of(req);
        switch (rule.on()) {
            case GLOBAL -> requireGlobal(caller, rule.permission());
            case SOMEWHERE -> {
                if (!gatehouse.policy.access.AdminPolicy.allowsSomewhere(access.grants(caller), rule.permission())) {
                    throw forbidden(rule.permission());
                }
            }
            case GATEWAY -> requireOnGateway(caller, rule.permission(), first);
            case TEAM -> {
                if (!access.allows(caller, rule.permission(), access.team(first))) {
                    throw ProblemException.notFound("team", first);
                }
            }
            case CONNECTION -> {
                Connection c = catalog.snapshot().connectionsById().get(first);
                if (c == null) {
                    requireGlobal(caller, rule.permission()); // the controller answers 404 for everyone who may look
                } else if (!access.mayOnGateway(caller, rule.permission(), c.gatewayId())) {
                    throw ProblemException.notFound("connection", first);
                }
            }
            case GATEWAY_PARAM -> {
                String gateway = req.getParameter("gateway");
                if (gateway == null || gateway.isBlank()) {
                    requireGlobal(caller, rule.permission());
                } else {
                    requireOnGateway(caller, rule.permission(), gateway);
                }
            }
            case SELF -> {
                if (!(first != null && first.equals(caller.userId()))) {
                    requireGlobal(caller, rule.permission());
                }
            }
        }
        return true;
    }

    private void requireGlobal(AdminCaller caller, Permission p) {
        if (!access.allows(caller, p, Target.EVERYTHING)) {
            throw forbidden(p);
        }
    }

    private void requireOnGateway(AdminCaller caller, Permission p, String gatewayId) {
        if (access.mayOnGateway(caller, p, gatewayId)) {
            return;
        }
        if (access.mayReadGateway(caller, gatewayId) && catalog.snapshot().gateways().containsKey(gatewayId)) {
            throw forbidden(p);
        }
        throw ProblemException.notFound("gateway", gatewayId); // a gateway the caller may not see answers like a missing one
    }

    private static ProblemException forbidden(Permission p) {
        return new ProblemException(403, "Forbidden", "this call needs the permission '" + p.wire() + "'", null);
    }
}
