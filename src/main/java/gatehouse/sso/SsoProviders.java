package gatehouse.sso;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;

/**
 * OpenID Connect providers, registered at runtime. Also Spring Security's client registration
 * repository: a provider's endpoints come from its discovery document (read when it is added, so a
 * wrong issuer is refused at once, and again on first use by each replica), its secret from the
 * sealed column. The redirect URI is always {@code <public URL>/login/oauth2/code/<name>}.
 */
@Service
public class SsoProviders implements ClientRegistrationRepository {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final GatehouseProperties props;
    private final Map<String, ClientRegistration> discovered = new ConcurrentHashMap<>();

    SsoProviders(JdbcClient jdbc, SecretBox secrets, GatehouseProperties props) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.props = props;
    }

    public record Input(String name, String issuer, String clientId, String clientSecret, List<String> emailDomains, String groupsClaim) {
    }

    public String redirectUri(String name) {
        return props.publicUrlNoSlash() + "/login/oauth2/code/" + name;
    }

    public List<SsoProvider> list() {
        return jdbc.sql("SELECT * FROM sso_providers ORDER BY created_at, id").query((rs, n) -> provider(rs)).list();
    }

    public SsoProvider get(String id) {
        return jdbc.sql("SELECT * FROM sso_providers WHERE id = ?").param(id).query((rs, n) -> provider(rs)).optional()
                .orElseThrow(() -> ProblemException.notFound("SSO provider", id));
    }

    public Optional<SsoProvider> byName(String name) {
        return jdbc.sql("SELECT * FROM sso_providers WHERE name = ?").param(name).query((rs, n) -> provider(rs)).optional();
    }

    /** The provider whose e-mail domains include this address's domain. */
    public Optional<SsoProvider> forEmail(String email) {
        if (email == null || email.indexOf('@') < 1) {
            return Optional.empty();
        }
        String domain = email.substring(email.lastIndexOf('@') + 1).trim().toLowerCase(Locale.ROOT);
        return list().stream().filter(p -> p.emailDomains().contains(domain)).findFirst();
    }

    @Transactional
    public SsoProvider create(Input in) {
        if (in.name() == null || !NAME.matcher(in.name()).matches()) {
            throw ProblemException.invalid("name", "name is required: 1-63 lower-case letters, digits and -, starting with a letter or digit (it is part of the redirect URI)");
        }
        if (byName(in.name()).isPresent()) {
            throw ProblemException.conflict("name", "an SSO provider named '" + in.name() + "' already exists");
        }
        String issuer = validIssuer(in.issuer());
        if (in.clientId() == null || in.clientId().isBlank() || in.clientId().length() > 500) {
            throw ProblemException.invalid("clientId", "clientId is required: the client id the provider gave Gatehouse");
        }
        if (in.clientSecret() == null || in.clientSecret().isBlank()) {
            throw ProblemException.invalid("clientSecret", "clientSecret is required: the client secret the provider gave Gatehouse");
        }
        List<String> domains = new ArrayList<>();
        for (String d : in.emailDomains() == null ? List.<String>of() : in.emailDomains()) {
            String domain = d == null ? "" : d.trim().toLowerCase(Locale.ROOT);
            if (!DOMAIN.matcher(domain).matches()) {
                throw ProblemException.invalid("emailDomains", "'" + d + "' is not a domain name such as example.com");
            }
            if (list().stream().anyMatch(p -> p.emailDomains().contains(domain))) {
                throw ProblemException.conflict("emailDomains", "the domain '" + domain + "' already routes to another provider");
            }
            domains.add(domain);
        }
        String groupsClaim = in.groupsClaim() == null || in.groupsClaim().isBlank() ? null : in.groupsClaim().trim();
        if (groupsClaim != null && groupsClaim.length() > 128) {
            throw ProblemException.invalid("groupsClaim", "groupsClaim is a claim name (at most 128 characters)");
        }
        String id = Ids.id("sso");
        ClientRegistration registration = discover(in.name(), issuer, in.clientId(), in.clientSecret());
        jdbc.sql("INSERT INTO sso_providers (id, name, issuer, client_id, client_secret_sealed, email_domains, groups_claim, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, in.name(), issuer, in.clientId(), secrets.encrypt(in.clientSecret()), String.join(" ", domains), groupsClaim,
                        Timestamp.from(Instant.now())).update();
        discovered.put(in.name(), registration);
        return get(id);
    }

    @Transactional
    public void delete(String id) {
        SsoProvider p = get(id);
        jdbc.sql("DELETE FROM sso_providers WHERE id = ?").param(id).update();
        discovered.remove(p.name());
    }

    private static String validIssuer(String issuer) {
        try {
            URI u = issuer == null ? null : URI.create(issuer.trim());
            if (u == null || u.getHost() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http") && isLoopback(u.getHost()))) {
                throw new IllegalArgumentException();
            }
            return issuer.trim();
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("issuer", "issuer is required: the provider's https issuer URL (http only on loopback), "
                    + "e.g. https://example.okta.com or https://login.microsoftonline.com/<tenant>/v2.0");
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    }

    private ClientRegistration discover(String name, String issuer, String clientId, String clientSecret) {
        try {
            return ClientRegistrations.fromIssuerLocation(issuer)
                    .registrationId(name)
                    .clientId(clientId)
                    .clientSecret(clientSecret)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                    .redirectUri(redirectUri(name))
                    .scope("openid", "profile", "email")
                    .userNameAttributeName("sub")
                    .clientName(name)
                    .build();
        } catch (RuntimeException e) {
            throw ProblemException.invalid("issuer", "the issuer's OpenID Connect discovery document could not be read from "
                    + issuer + "/.well-known/openid-configuration: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public ClientRegistration findByRegistrationId(String registrationId) {
        ClientRegistration known = discovered.get(registrationId);
        if (known != null) {
            return known;
        }
        return jdbc.sql("SELECT * FROM sso_providers WHERE name = ?").param(registrationId).query((rs, n) -> {
            ClientRegistration r = discover(rs.getString("name"), rs.getString("issuer"), rs.getString("client_id"),
                    secrets.decrypt(rs.getString("client_secret_sealed")));
            discovered.put(registrationId, r);
            return r;
        }).optional().orElse(null);
    }

    private static SsoProvider provider(java.sql.ResultSet rs) throws java.sql.SQLException {
        String domains = rs.getString("email_domains");
        return new SsoProvider(rs.getString("id"), rs.getString("name"), rs.getString("issuer"), rs.getString("client_id"),
                domains == null || domains.isBlank() ? List.of() : Arrays.asList(domains.trim().split("\\s+")), rs.getString("groups_claim"),
                rs.getTimestamp("created_at").toInstant());
    }
}
