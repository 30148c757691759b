package gatehouse.admin.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

import gatehouse.audit.AdminAuditTrail;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.identity.Directory;
import gatehouse.identity.Roles;

/**
 * Records every administrative change made through the admin API (any call but GET) in the
 * {@link AdminAuditTrail}: the caller, the route and its target, the answer's status, and the state
 * of the target before and after. The state is read the same way for every call on a route (the
 * table below); where no reader exists, "after" is the answer the caller got.
 */
class AdminAuditRecorder implements HandlerInterceptor {
    private static final String BEFORE = AdminAuditRecorder.class.getName() + ".before";
    static final String BODY = AdminAuditRecorder.class.getName() + ".body";

    private final AdminAuditTrail trail;
    private final Map<String, Function<List<String>, Object>> readers = new LinkedHashMap<>();

    AdminAuditRecorder(AdminAuditTrail trail, CatalogService catalog, Directory directory, Roles roles) {
        this.trail = trail;
        readers.put("/servers/{}", v -> {
            var s = catalog.snapshot().servers().get(v.getFirst());
            return s == null ? null : CatalogController.ServerView.of(s);
        });
        readers.put("/gateways/{}", v -> catalog.snapshot().gateways().get(v.getFirst()));
        readers.put("/gateways/{}/servers/{}", v -> {
            CatalogSnapshot snap = catalog.snapshot();
            return snap.assignmentsByGateway().getOrDefault(v.get(0), List.of()).stream()
                    .filter(a -> a.serverId().equals(v.get(1))).findFirst().orElse(null);
        });
        readers.put("/gateways/{}/teams/{}", v -> orNull(() -> directory.team(v.get(1))));
        readers.put("/users/{}", v -> orNull(() -> directory.user(v.getFirst())));
        readers.put("/users/{}/roles/{}", v -> orNull(() -> roles.grantsOf(v.getFirst())));
        readers.put("/teams/{}", v -> orNull(() -> directory.team(v.getFirst())));
        readers.put("/teams/{}/members/{}", v -> orNull(() -> directory.team(v.getFirst())));
        readers.put("/connections/{}", v -> catalog.snapshot().connectionsById().get(v.getFirst()));
        readers.put("/roles/{}", v -> orNull(() -> roles.role(v.getFirst())));
    }

    private static Object orNull(java.util.function.Supplier<Object> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private record Pending(String action, String target, Function<List<String>, Object> reader, List<String> vars, Object before) {
    }

    @Override
    public boolean preHandle(HttpServletRequest req, HttpServletResponse resp, Object handler) {
        if (!(handler instanceof HandlerMethod) || req.getMethod().equals("GET") || req.getMethod().equals("HEAD")
                || req.getMethod().equals("OPTIONS")) {
            return true;
        }
        String pattern = (String) req.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        if (pattern == null || !pattern.startsWith("/api/v1")) {
            return true;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> vars = (Map<String, String>) req.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        List<String> values = vars == null ? List.of() : List.copyOf(vars.values());
        String route = AccessRules.normalize(pattern);
        Function<List<String>, Object> reader = readers.get(route);
        String target = req.getRequestURI().substring("/api/v1".length());
        req.setAttribute(BEFORE, new Pending(req.getMethod() + " " + route, target, reader, values,
                reader == null ? null : reader.apply(values)));
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest req, HttpServletResponse resp, Object handler, Exception ex) {
        Pending p = (Pending) req.getAttribute(BEFORE);
        if (p == null || resp.getStatus() >= 400 || ex != null) {
            return; // refused or failed: nothing changed
        }
        AdminCaller caller = AdminCaller.of(req);
        Object after = p.reader() != null ? p.reader().apply(p.vars()) : req.getAttribute(BODY);
        String target = p.target();
        if (req.getMethod().equals("POST") && after != null) {
            // a creation's target is what it created
            tools.jackson.databind.JsonNode id = gatehouse.platform.Json.MAPPER.valueToTree(after).path("id");
            if (id.isString()) {
                target = target + "/" + id.asString();
            }
        }
        trail.record(new AdminAuditTrail.Entry(caller.actor(), caller.kind(), p.action(), target, resp.getStatus(), p.before(), after));
    }

    /** Keeps each admin answer's body on the request, for the "after" of routes without a reader. */
    @ControllerAdvice(basePackageClasses = AdminAuditRecorder.class)
    static class BodyCapture implements ResponseBodyAdvice<Object> {
        @Override
        public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
            return true;
        }

        @Override
        public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
                                      Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
                                      ServerHttpResponse response) {
            if (request instanceof ServletServerHttpRequest s && !s.getServletRequest().getMethod().equals("GET")) {
                s.getServletRequest().setAttribute(BODY, body);
            }
            return body;
        }
    }
}
