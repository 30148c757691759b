package gatehouse.authserver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.platform.Json;

/**
 * RFC 9728 protected-resource metadata. The MCP endpoint's 401 points at the path-suffixed form
 * (with {@code ?gateway=ID} when the client named a gateway), whose {@code resource} is then exactly
 * the URL the client used, as RFC 9728 section 3.3 requires; the root form describes Gatehouse as a
 * whole. Written here rather than taken from Spring's resource-server support because the MCP
 * endpoint is Gatehouse's own servlet, not a Spring Security resource server.
 */
@RestController
class ProtectedResourceMetadata {
    private final Resources resources;

    ProtectedResourceMetadata(Resources resources) {
        this.resources = resources;
    }

    @GetMapping("/.well-known/oauth-protected-resource")
    ResponseEntity<String> root() {
        return answer(resources.base(), "Gatehouse");
    }

    @GetMapping("/.well-known/oauth-protected-resource" + Resources.MCP_PATH)
    ResponseEntity<String> mcp(@RequestParam(name = "gateway", required = false) String gateway) {
        String resource = Resources.validGatewayId(gateway) ? resources.mcpUrl(gateway) : resources.mcpUrl();
        return answer(resource, "Gatehouse MCP gateway");
    }

    private ResponseEntity<String> answer(String resource, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("resource", resource);
        m.put("authorization_servers", List.of(resources.issuer()));
        m.put("bearer_methods_supported", List.of("header"));
        m.put("resource_name", name);
        // Always JSON, whatever the Accept header says (a browser opening the URL included).
        return ResponseEntity.ok().cacheControl(CacheControl.noCache()).contentType(MediaType.APPLICATION_JSON).body(Json.string(m));
    }
}
