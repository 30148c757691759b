package gatehouse.connect;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.identity.UpstreamOAuth;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatehouse's own Client ID Metadata Document: upstream authorization servers that advertise
 * {@code client_id_metadata_document_supported} fetch it from here instead of registering Gatehouse.
 * Public by design (it holds no secret), and cacheable.
 */
@RestController
class ClientMetadataController {
    private final UpstreamOAuth oauth;

    ClientMetadataController(UpstreamOAuth oauth) {
        this.oauth = oauth;
    }

    @GetMapping(value = UpstreamOAuth.CLIENT_METADATA_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ObjectNode> document() {
        return ResponseEntity.ok().cacheControl(CacheControl.maxAge(java.time.Duration.ofHours(1)).cachePublic())
                .body(oauth.clientMetadataDocument());
    }
}
