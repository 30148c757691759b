package gatehouse.admin.api;

import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogService;
import gatehouse.gateway.upstream.TokenCheck;
import gatehouse.platform.ProblemException;

/**
 * Tokens an administrator gives for an upstream (a gateway's shared credential, an API-token
 * connection's own) are tried against that upstream before they are saved, as the wizard tries a
 * pasted one: a token the upstream refuses (401) or fails with is a 400 naming the field and what
 * failed, and nothing is saved. An upstream that cannot be reached at all said nothing about the
 * token: it is saved unchecked (an administrator may set up credentials before the server is up),
 * and a refusal later marks it {@code rejected} with an alert.
 */
@Component
class CheckedTokens {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CheckedTokens.class);

    private final TokenCheck check;
    private final CatalogService catalog;

    CheckedTokens(TokenCheck check, CatalogService catalog) {
        this.check = check;
        this.catalog = catalog;
    }

    /** Throws the 400 when server {@code serverId} refuses {@code token}; a blank token is left to the vault's own answer. */
    void require(String field, String serverId, String token) {
        if (token == null || token.isBlank()) {
            return;
        }
        switch (check.check(catalog.server(serverId), token)) {
            case TokenCheck.Accepted a -> { }
            case TokenCheck.Refused r -> throw ProblemException.invalid(field, "the token was not saved: " + r.why());
            case TokenCheck.Unreachable u -> log.info("server {} could not be reached to check a token given for it; saved unchecked", serverId);
        }
    }
}
