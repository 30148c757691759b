package gatehouse.sso;

import java.time.Instant;
import java.util.List;

/** An OpenID Connect provider people sign in with (its client secret is kept sealed, never here). */
public record SsoProvider(String id, String name, String issuer, String clientId, List<String> emailDomains, String groupsClaim,
                          Instant createdAt) {
    public SsoProvider {
        emailDomains = List.copyOf(emailDomains);
    }
}
