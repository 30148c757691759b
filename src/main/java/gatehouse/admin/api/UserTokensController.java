package gatehouse.admin.api;

import java.time.Instant;
import java.util.List;

import org.springframework.context.event.EventListener;
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
import gatehouse.identity.Directory;
import gatehouse.platform.ProblemException;

/**
 * Per-user admin-API tokens: each acts as its user and can do exactly what that user's role grants
 * allow (nothing, for a user without grants or a disabled one). Stored in the admin-token store,
 * hashed; the secret is shown once.
 */
@RestController
@RequestMapping("/api/v1")
class UserTokensController {
    private final AdminTokens tokens;
    private final Directory directory;

    UserTokensController(AdminTokens tokens, Directory directory) {
        this.tokens = tokens;
        this.directory = directory;
    }

    record TokenInput(String name) {
    }

    record TokenView(String id, String name, String userId, boolean active, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        static TokenView of(AdminToken t) {
            return new TokenView(t.id(), t.name(), t.userId(), t.active(), t.createdAt(), t.lastUsedAt(), t.revokedAt());
        }
    }

    record CreatedView(String id, String name, String userId, String token, Instant createdAt) {
    }

    @PostMapping("/users/{uid}/api-tokens")
    @ResponseStatus(HttpStatus.CREATED)
    CreatedView create(@PathVariable String uid, @RequestBody(required = false) TokenInput in) {
        if (!directory.user(uid).enabled()) {
            throw ProblemException.conflict(null, "the user is disabled; enable them before giving them a token");
        }
        if (in == null) {
            throw ProblemException.invalid("name", "a body is required: {\"name\": \"…\"}");
        }
        AdminTokens.Created c = tokens.create(in.name(), uid);
        return new CreatedView(c.token().id(), c.token().name(), uid, c.secret(), c.token().createdAt());
    }

    @GetMapping("/users/{uid}/api-tokens")
    List<TokenView> list(@PathVariable String uid) {
        directory.user(uid);
        return tokens.list().stream().filter(t -> uid.equals(t.userId())).map(TokenView::of).toList();
    }

    @DeleteMapping("/users/{uid}/api-tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String uid, @PathVariable String id) {
        AdminToken t = tokens.get(id).filter(x -> uid.equals(x.userId())).orElseThrow(() -> ProblemException.notFound("API token", id));
        tokens.revoke(t.id());
    }

    /** A disabled user's tokens are revoked at once, not merely powerless. */
    @EventListener
    void userDisabled(Directory.UserDisabled event) {
        tokens.list().stream().filter(t -> event.userId().equals(t.userId()) && t.active()).forEach(t -> tokens.revoke(t.id()));
    }
}
