package gatehouse.admin.api;

import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogService;
import gatehouse.gateway.upstream.TokenCheck;
import gatehouse.platform.ProblemException;

/**
 * Tokens an administrator gives for an upstream (a gateway's shared credential, an API-token
 * connection's own) are tried against that upstream before they are saved, as the wizard tries a
 * pasted one: a token the upstream refuses, or cannot be checked with, is a 400 naming the field
 * and what failed, and nothing is saved.
 */
@Component
class CheckedTokens {
    private final TokenCheck check;
    private final CatalogService catalog;

    CheckedTokens(TokenCheck check, CatalogService catalog) {
        this.check = check;
        this.catalog = catalog;
    }

    /** Throws the 400 when server {@code serverId} does not take {@code token}; a blank token is left to the vault's own answer. */
    void require(String field, String serverId, String token) {
        if (token == null || token.isBlank()) {
            return;
        }
        check.refusal(catalog.server(serverId), token).ifPresent(why -> {
            throw ProblemException.invalid(field, "the token was not saved: " + why);
        });
    }
}
