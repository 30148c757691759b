package gatehouse.scim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.audit.AdminAuditTrail;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /scim/v2/Users} and {@code /scim/v2/Groups}: create, read, list with filter and paging,
 * replace, patch, delete. Every change lands in the administrative audit trail under the SCIM
 * token's name.
 */
@RestController
@RequestMapping("/scim/v2")
class ScimResourcesController extends ScimErrors {
    static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    private static final MediaType SCIM = MediaType.parseMediaType(SCIM_JSON);

    private final ScimStore store;
    private final AdminAuditTrail trail;

    ScimResourcesController(ScimStore store, AdminAuditTrail trail) {
        this.store = store;
        this.trail = trail;
    }

    private static ResponseEntity<JsonNode> ok(int status, JsonNode body) {
        return ResponseEntity.status(status).contentType(SCIM).body(body);
    }

    private void audit(HttpServletRequest req, int status, String target, Object before, Object after) {
        String kind = target.substring(0, target.indexOf('/', 1));
        trail.record(new AdminAuditTrail.Entry("scim-token:" + req.getAttribute(ScimAuthFilter.TOKEN_NAME), "scim-token",
                req.getMethod() + " /scim/v2" + kind + (req.getMethod().equals("POST") ? "" : "/{}"), "/scim/v2" + target, status, before, after));
    }

    private ResponseEntity<JsonNode> list(Supplier<List<ObjectNode>> all, String filter, Integer startIndex, Integer count,
                                          String attributes, String excluded) {
        ScimFilter f = filter == null || filter.isBlank() ? null : ScimFilter.parse(filter);
        List<ObjectNode> matched = new ArrayList<>();
        for (ObjectNode r : all.get()) {
            if (f == null || f.test(r)) {
                matched.add(r);
            }
        }
        int start = startIndex == null || startIndex < 1 ? 1 : startIndex;
        int size = count == null ? 100 : Math.max(0, Math.min(count, 1000));
        List<ObjectNode> page = matched.subList(Math.min(start - 1, matched.size()), Math.min(start - 1 + size, matched.size()));
        ObjectNode body = Json.object();
        body.putArray("schemas").add(LIST_SCHEMA);
        body.put("totalResults", matched.size());
        body.put("startIndex", start);
        body.put("itemsPerPage", page.size());
        var resources = body.putArray("Resources");
        page.forEach(r -> resources.add(project(r, attributes, excluded)));
        return ok(200, body);
    }

    /** {@code attributes} keeps only those (plus id, schemas, meta); {@code excludedAttributes} drops those. */
    private static ObjectNode project(ObjectNode r, String attributes, String excluded) {
        ObjectNode out = r.deepCopy();
        if (attributes != null && !attributes.isBlank()) {
            List<String> keep = names(attributes);
            for (String k : List.copyOf(out.propertyNames())) {
                if (!List.of("id", "schemas", "meta").contains(k) && !keep.contains(k.toLowerCase(Locale.ROOT))) {
                    out.remove(k);
                }
            }
        }
        if (excluded != null && !excluded.isBlank()) {
            List<String> drop = names(excluded);
            for (String k : List.copyOf(out.propertyNames())) {
                if (drop.contains(k.toLowerCase(Locale.ROOT)) && !k.equals("id")) {
                    out.remove(k);
                }
            }
        }
        return out;
    }

    private static List<String> names(String csv) {
        return Arrays.stream(csv.split(",")).map(s -> ScimFilter.plainPath(s.trim()).split("\\.")[0].toLowerCase(Locale.ROOT)).toList();
    }

    // --- Users

    @GetMapping("/Users")
    ResponseEntity<JsonNode> users(@RequestParam(required = false) String filter, @RequestParam(required = false) Integer startIndex,
                                   @RequestParam(required = false) Integer count, @RequestParam(required = false) String attributes,
                                   @RequestParam(required = false) String excludedAttributes) {
        return list(store::users, filter, startIndex, count, attributes, excludedAttributes);
    }

    @GetMapping("/Users/{id}")
    ResponseEntity<JsonNode> user(@PathVariable String id, @RequestParam(required = false) String attributes,
                                  @RequestParam(required = false) String excludedAttributes) {
        return ok(200, project(store.user(id), attributes, excludedAttributes));
    }

    @PostMapping("/Users")
    ResponseEntity<JsonNode> createUser(@RequestBody JsonNode in, HttpServletRequest req) {
        ObjectNode created = store.createUser(in);
        audit(req, 201, "/Users/" + created.path("id").asString(), null, created);
        return ResponseEntity.status(201).contentType(SCIM).header("Location", created.path("meta").path("location").asString()).body(created);
    }

    @PutMapping("/Users/{id}")
    ResponseEntity<JsonNode> replaceUser(@PathVariable String id, @RequestBody JsonNode in, HttpServletRequest req) {
        ObjectNode before = store.user(id);
        ObjectNode after = store.replaceUser(id, in);
        audit(req, 200, "/Users/" + id, before, after);
        return ok(200, after);
    }

    @PatchMapping("/Users/{id}")
    ResponseEntity<JsonNode> patchUser(@PathVariable String id, @RequestBody JsonNode in, HttpServletRequest req) {
        ObjectNode before = store.user(id);
        ObjectNode after = store.replaceUser(id, ScimPatch.apply(before, in));
        audit(req, 200, "/Users/" + id, before, after);
        return ok(200, after);
    }

    @DeleteMapping("/Users/{id}")
    ResponseEntity<Void> deleteUser(@PathVariable String id, HttpServletRequest req) {
        ObjectNode before = store.user(id);
        store.deleteUser(id);
        audit(req, 204, "/Users/" + id, before, null);
        return ResponseEntity.noContent().build();
    }

    // --- Groups

    @GetMapping("/Groups")
    ResponseEntity<JsonNode> groups(@RequestParam(required = false) String filter, @RequestParam(required = false) Integer startIndex,
                                    @RequestParam(required = false) Integer count, @RequestParam(required = false) String attributes,
                                    @RequestParam(required = false) String excludedAttributes) {
        return list(store::groups, filter, startIndex, count, attributes, excludedAttributes);
    }

    @GetMapping("/Groups/{id}")
    ResponseEntity<JsonNode> group(@PathVariable String id, @RequestParam(required = false) String attributes,
                                   @RequestParam(required = false) String excludedAttributes) {
        return ok(200, project(store.group(id), attributes, excludedAttributes));
    }

    @PostMapping("/Groups")
    ResponseEntity<JsonNode> createGroup(@RequestBody JsonNode in, HttpServletRequest req) {
        ObjectNode created = store.createGroup(in);
        audit(req, 201, "/Groups/" + created.path("id").asString(), null, created);
        return ResponseEntity.status(201).contentType(SCIM).header("Location", created.path("meta").path("location").asString()).body(created);
    }

    @PutMapping("/Groups/{id}")
    ResponseEntity<JsonNode> replaceGroup(@PathVariable String id, @RequestBody JsonNode in, HttpServletRequest req) {
        ObjectNode before = store.group(id);
        ObjectNode after = store.replaceGroup(id, in);
        audit(req, 200, "/Groups/" + id, before, after);
        return ok(200, after);
    }

    /** Entra expects 204 for a group PATCH; Okta accepts 204 or the resource. */
    @PatchMapping("/Groups/{id}")
    ResponseEntity<JsonNode> patchGroup(@PathVariable String id, @RequestBody JsonNode in, HttpServletRequest req) {
        ObjectNode before = store.group(id);
        ObjectNode after = store.replaceGroup(id, ScimPatch.apply(before, in));
        audit(req, 204, "/Groups/" + id, before, after);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/Groups/{id}")
    ResponseEntity<Void> deleteGroup(@PathVariable String id, HttpServletRequest req) {
        ObjectNode before = store.group(id);
        store.deleteGroup(id);
        audit(req, 204, "/Groups/" + id, before, null);
        return ResponseEntity.noContent().build();
    }
}
