package gatehouse.scim;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;

import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import tools.jackson.databind.node.ObjectNode;

/**
 * SCIM error responses (RFC 7644 §3.12), in one place: the SCIM controllers extend this class, so
 * its handlers come before the admin API's problem details (a controller's own handlers win).
 */
abstract class ScimErrors {
    static final String SCIM_JSON = "application/scim+json";
    static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

    static ResponseEntity<ObjectNode> error(int status, String scimType, String detail) {
        ObjectNode body = Json.object();
        body.putArray("schemas").add(ERROR_SCHEMA);
        body.put("status", String.valueOf(status));
        if (scimType != null) {
            body.put("scimType", scimType);
        }
        body.put("detail", detail);
        return ResponseEntity.status(status).contentType(MediaType.parseMediaType(SCIM_JSON)).body(body);
    }

    @ExceptionHandler(ScimException.class)
    ResponseEntity<ObjectNode> scim(ScimException e) {
        return error(e.status(), e.scimType(), e.getMessage());
    }

    /** The directory's own refusals, in SCIM's words. */
    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ObjectNode> problem(ProblemException e) {
        return error(e.status(), switch (e.status()) {
            case 409 -> "uniqueness";
            case 400 -> "invalidValue";
            default -> null;
        }, e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ObjectNode> unreadable(HttpMessageNotReadableException e) {
        return error(400, "invalidSyntax", "the body is not valid JSON");
    }
}
