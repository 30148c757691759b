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

import gatehouse.admin.tokens.AdminToken;
import gatehouse.admin.tokens.AdminTokens;
import gatehouse.platform.ProblemException;

/**
 * Admin tokens: listed by name with their last use (never the secret), created (the secret is in
 * that one answer), revoked. Who may call these is decided by {@link AccessRules} (the admin permission).
 */
@RestController
@RequestMapping("/api/v1")
class AdminTokensController {
    private final AdminTokens tokens;

    AdminTokensController(AdminTokens tokens) {
        this.tokens = tokens;
    }

    record TokenInput(String name) {
    }

    record TokenView(String id, String name, String userId, boolean bootstrap, boolean active, Instant createdAt, Instant lastUsedAt,
                     Instant revokedAt) {
        static TokenView of(AdminToken t) {
            return new TokenView(t.id(), t.name(), t.userId(), t.bootstrap(), t.active(), t.createdAt(), t.lastUsedAt(), t.revokedAt());
        }
    }

    record CreatedView(String id, String name, String token, Instant createdAt) {
    }

    @GetMapping("/admin-tokens")
    List<TokenView> list() {
        return tokens.list().stream().map(TokenView::of).toList();
    }

    @PostMapping("/admin-tokens")
    @ResponseStatus(HttpStatus.CREATED)
    CreatedView create(@RequestBody(required = false) TokenInput in) {
        if (in == null) {
            throw ProblemException.invalid("name", "a body is required: {\"name\": \"…\"}");
        }
        AdminTokens.Created c = tokens.create(in.name(), null);
        return new CreatedView(c.token().id(), c.token().name(), c.secret(), c.token().createdAt());
    }

    @GetMapping("/admin-tokens/{id}")
    TokenView get(@PathVariable String id) {
        return tokens.get(id).map(TokenView::of).orElseThrow(() -> ProblemException.notFound("admin token", id));
    }

    @DeleteMapping("/admin-tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String id) {
        tokens.revoke(id);
    }
}
