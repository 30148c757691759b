package gatehouse.scim;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 §4): what this SCIM service supports. */
@RestController
@RequestMapping("/scim/v2")
class ScimDiscoveryController extends ScimErrors {
    private static final MediaType SCIM = MediaType.parseMediaType(SCIM_JSON);
    private final String base;

    ScimDiscoveryController(GatehouseProperties props) {
        this.base = props.publicUrlNoSlash() + "/scim/v2";
    }

    @GetMapping("/ServiceProviderConfig")
    ResponseEntity<JsonNode> serviceProviderConfig() {
        ObjectNode o = Json.object();
        o.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
        o.put("documentationUri", "https://gatehouse.dev/docs/scim");
        o.putObject("patch").put("supported", true);
        o.putObject("bulk").put("supported", false).put("maxOperations", 0).put("maxPayloadSize", 0);
        o.putObject("filter").put("supported", true).put("maxResults", 1000);
        o.putObject("changePassword").put("supported", true);
        o.putObject("sort").put("supported", false);
        o.putObject("etag").put("supported", false);
        o.putArray("authenticationSchemes").addObject().put("type", "oauthbearertoken").put("name", "OAuth Bearer Token")
                .put("description", "A SCIM token from POST /api/v1/scim-tokens").put("primary", true);
        o.putObject("meta").put("resourceType", "ServiceProviderConfig").put("location", base + "/ServiceProviderConfig");
        return ResponseEntity.ok().contentType(SCIM).body(o);
    }

    private ObjectNode resourceType(String name, String endpoint, String schema) {
        ObjectNode o = Json.object();
        o.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ResourceType");
        o.put("id", name).put("name", name).put("endpoint", endpoint).put("schema", schema);
        o.putObject("meta").put("resourceType", "ResourceType").put("location", base + "/ResourceTypes/" + name);
        return o;
    }

    @GetMapping("/ResourceTypes")
    ResponseEntity<JsonNode> resourceTypes() {
        return list(resourceType("User", "/Users", ScimStore.USER_SCHEMA), resourceType("Group", "/Groups", ScimStore.GROUP_SCHEMA));
    }

    @GetMapping("/ResourceTypes/{name}")
    ResponseEntity<JsonNode> resourceType(@PathVariable String name) {
        return switch (name) {
            case "User" -> ResponseEntity.ok().contentType(SCIM).body(resourceType("User", "/Users", ScimStore.USER_SCHEMA));
            case "Group" -> ResponseEntity.ok().contentType(SCIM).body(resourceType("Group", "/Groups", ScimStore.GROUP_SCHEMA));
            default -> throw ScimException.notFound("ResourceType", name);
        };
    }

    private static ObjectNode attr(ArrayNode to, String name, String type, boolean multi, boolean required, String mutability, String uniqueness) {
        ObjectNode a = to.addObject();
        a.put("name", name).put("type", type).put("multiValued", multi).put("required", required).put("caseExact", false)
                .put("mutability", mutability).put("returned", name.equals("password") ? "never" : "default").put("uniqueness", uniqueness);
        return a;
    }

    private ObjectNode userSchema() {
        ObjectNode s = Json.object();
        s.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Schema");
        s.put("id", ScimStore.USER_SCHEMA).put("name", "User").put("description", "A Gatehouse user");
        ArrayNode a = s.putArray("attributes");
        attr(a, "userName", "string", false, true, "readWrite", "server");
        ObjectNode name = attr(a, "name", "complex", false, false, "readWrite", "none");
        ArrayNode sub = name.putArray("subAttributes");
        attr(sub, "givenName", "string", false, false, "readWrite", "none");
        attr(sub, "familyName", "string", false, false, "readWrite", "none");
        attr(sub, "formatted", "string", false, false, "readOnly", "none");
        attr(a, "displayName", "string", false, false, "readWrite", "none");
        ObjectNode emails = attr(a, "emails", "complex", true, false, "readWrite", "none");
        ArrayNode esub = emails.putArray("subAttributes");
        attr(esub, "value", "string", false, false, "readWrite", "none");
        attr(esub, "type", "string", false, false, "readWrite", "none");
        attr(esub, "primary", "boolean", false, false, "readWrite", "none");
        attr(a, "active", "boolean", false, false, "readWrite", "none");
        attr(a, "password", "string", false, false, "writeOnly", "none");
        attr(a, "groups", "complex", true, false, "readOnly", "none");
        attr(a, "externalId", "string", false, false, "readWrite", "none");
        s.putObject("meta").put("resourceType", "Schema").put("location", base + "/Schemas/" + ScimStore.USER_SCHEMA);
        return s;
    }

    private ObjectNode groupSchema() {
        ObjectNode s = Json.object();
        s.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Schema");
        s.put("id", ScimStore.GROUP_SCHEMA).put("name", "Group").put("description", "A Gatehouse team");
        ArrayNode a = s.putArray("attributes");
        attr(a, "displayName", "string", false, true, "readWrite", "server");
        ObjectNode members = attr(a, "members", "complex", true, false, "readWrite", "none");
        attr(members.putArray("subAttributes"), "value", "string", false, false, "immutable", "none");
        attr(a, "externalId", "string", false, false, "readWrite", "none");
        s.putObject("meta").put("resourceType", "Schema").put("location", base + "/Schemas/" + ScimStore.GROUP_SCHEMA);
        return s;
    }

    @GetMapping("/Schemas")
    ResponseEntity<JsonNode> schemas() {
        return list(userSchema(), groupSchema());
    }

    @GetMapping("/Schemas/{id}")
    ResponseEntity<JsonNode> schema(@PathVariable String id) {
        if (id.equals(ScimStore.USER_SCHEMA)) {
            return ResponseEntity.ok().contentType(SCIM).body(userSchema());
        }
        if (id.equals(ScimStore.GROUP_SCHEMA)) {
            return ResponseEntity.ok().contentType(SCIM).body(groupSchema());
        }
        throw ScimException.notFound("Schema", id);
    }

    private static ResponseEntity<JsonNode> list(ObjectNode... items) {
        ObjectNode body = Json.object();
        body.putArray("schemas").add(ScimResourcesController.LIST_SCHEMA);
        body.put("totalResults", items.length).put("startIndex", 1).put("itemsPerPage", items.length);
        ArrayNode r = body.putArray("Resources");
        for (ObjectNode i : items) {
            r.add(i);
        }
        return ResponseEntity.ok().contentType(SCIM).body(body);
    }
}
