package gatehouse.admin.api;

import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.platform.ProblemException;
import gatehouse.scim.ScimTokens;

/** Bearer tokens for /scim/v2 (one per identity provider, say); the secret is shown once. */
@RestController
@RequestMapping("/api/v1")
class ScimTokensController {
    private final ScimTokens tokens;

    ScimTokensController(ScimTokens tokens) {
        this.tokens = tokens;
    }

    record TokenInput(String name) {
    }

    record CreatedView(String id, String name, String token, Instant createdAt) {
    }

    @PostMapping("/scim-tokens")
    @ResponseStatus(HttpStatus.CREATED)
    CreatedView create(@RequestBody(required = false) TokenInput in) {
        if (in == null) {
            throw ProblemException.invalid("name", "a body is required: {\"name\": \"…\"}");
        }
        ScimTokens.Created c = tokens.create(in.name());
        return new CreatedView(c.token().id(), c.token().name(), c.secret(), c.token().createdAt());
    }

    @GetMapping("/scim-tokens")
    List<ScimTokens.ScimToken> list() {
        return tokens.list();
    }

    @DeleteMapping("/scim-tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String id) {
        tokens.revoke(id);
    }
}
