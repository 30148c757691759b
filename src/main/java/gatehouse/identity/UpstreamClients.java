package gatehouse.identity;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;

/**
 * How Gatehouse authenticates to one upstream server beyond the server's own headers, set by an
 * administrator: a pre-registered OAuth client (many authorization servers register no clients
 * dynamically) and the header a person's pasted key goes in. The client secret is sealed with the
 * master key, bound to its row, and never answered back.
 */
@Service
public class UpstreamClients {
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");
    private static final Set<String> FORBIDDEN_HEADERS = Set.of("host", "content-length", "content-type", "accept", "connection",
            "transfer-encoding", "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "cookie", "te", "upgrade");

    private final JdbcClient jdbc;
    private final SecretBox secrets;

    UpstreamClients(JdbcClient jdbc, SecretBox secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    /**
     * A pre-registered OAuth client of an upstream's authorization server.
     *
     * @param clientSecret          null for a public client (PKCE only)
     * @param scopes                asked for at authorization; empty: the resource's advertised scopes
     * @param authorizationEndpoint with {@code tokenEndpoint}: used instead of discovery (both or neither)
     */
    public record OAuthClient(String clientId, String clientSecret, List<String> scopes, String authorizationEndpoint,
                              String tokenEndpoint) {
        public OAuthClient {
            if (clientId == null || clientId.isBlank() || clientId.length() > 2048) {
                throw ProblemException.invalid("oauth.clientId", "oauth.clientId is required (the client id the upstream's "
                        + "authorization server issued to Gatehouse, at most 2048 characters)");
            }
            if (clientSecret != null && (clientSecret.isBlank() || clientSecret.length() > 4096)) {
                throw ProblemException.invalid("oauth.clientSecret", "oauth.clientSecret must be a non-empty string of at most 4096 "
                        + "characters, or absent for a public client (PKCE only)");
            }
            scopes = scopes == null ? List.of() : List.copyOf(scopes);
            for (String s : scopes) {
                if (s == null || s.isBlank() || s.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\' || c > '~')) {
                    throw ProblemException.invalid("oauth.scopes", "oauth.scopes must be a list of scope tokens without spaces");
                }
            }
            if ((authorizationEndpoint == null) != (tokenEndpoint == null)) {
                throw ProblemException.invalid(authorizationEndpoint == null ? "oauth.authorizationEndpoint" : "oauth.tokenEndpoint",
                        "give both oauth.authorizationEndpoint and oauth.tokenEndpoint (when the upstream publishes no metadata), or neither");
            }
            endpoint("oauth.authorizationEndpoint", authorizationEndpoint);
            endpoint("oauth.tokenEndpoint", tokenEndpoint);
        }

        /** Whether the endpoints are configured (then discovery is not needed). */
        public boolean hasEndpoints() {
            return authorizationEndpoint != null;
        }

        private static void endpoint(String field, String url) {
            if (url == null) {
                return;
            }
            URI u;
            try {
                u = new URI(url);
            } catch (java.net.URISyntaxException e) {
                throw ProblemException.invalid(field, field + " must be an absolute http(s) URL");
            }
            if (u.getScheme() == null || !Set.of("https", "http").contains(u.getScheme().toLowerCase(Locale.ROOT)) || u.getHost() == null
                    || u.getRawFragment() != null || u.getRawUserInfo() != null) {
                throw ProblemException.invalid(field, field + " must be an absolute http(s) URL without user info or fragment");
            }
        }

        @Override
        public String toString() {
            return "OAuthClient[" + clientId + (clientSecret == null ? ", public" : ", secret redacted") + "]";
        }
    }

    /**
     * The header a pasted key goes in, and its format: {@code {token}} stands for the key, so a
     * person pastes only the key ({@code X-API-Key: {token}}, {@code Authorization: Token {token}}).
     */
    public record KeyHeader(String name, String format) {
        public static final String PLACEHOLDER = "{token}";
        public static final KeyHeader BEARER = new KeyHeader("Authorization", "Bearer {token}");

        public KeyHeader {
            if (name == null || !HEADER_NAME.matcher(name).matches() || FORBIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw ProblemException.invalid("credentialHeader.name", "credentialHeader.name must be an HTTP header name such as "
                        + "X-API-Key or Authorization (not a header the MCP transport sets itself)");
            }
            format = format == null ? PLACEHOLDER : format;
            if (format.length() > 256 || format.indexOf(PLACEHOLDER) < 0 || format.indexOf(PLACEHOLDER) != format.lastIndexOf(PLACEHOLDER)
                    || format.chars().anyMatch(c -> c < ' ' || c == 127)) {
                throw ProblemException.invalid("credentialHeader.format", "credentialHeader.format must contain {token} exactly once, "
                        + "e.g. \"Token {token}\" or \"{token}\" (at most 256 printable characters)");
            }
        }

        /** The header value carrying {@code token}; a token that would break the header line is refused. */
        public String value(String token) {
            if (token.chars().anyMatch(c -> c < ' ' || c == 127)) {
                throw ProblemException.invalid("token", "a token must not contain control characters or line breaks");
            }
            return format.replace(PLACEHOLDER, token);
        }

        public boolean isBearer() {
            return name.equalsIgnoreCase("Authorization") && format.equals(BEARER.format());
        }
    }

    /** What the admin API answers: never the secret itself. */
    public record OAuthView(String clientId, String clientSecret, List<String> scopes, String authorizationEndpoint, String tokenEndpoint) {
    }

    // --- reading

    public Optional<OAuthClient> oauth(String serverId) {
        return jdbc.sql("SELECT * FROM server_credentials WHERE server_id = ? AND oauth_client_id IS NOT NULL").param(serverId)
                .query((rs, n) -> new OAuthClient(rs.getString("oauth_client_id"),
                        rs.getString("oauth_client_secret") == null ? null
                                : secrets.decrypt(rs.getString("oauth_client_secret"), sealedFor(serverId)),
                        scopes(rs.getString("oauth_scopes")), rs.getString("oauth_authorization_url"), rs.getString("oauth_token_url")))
                .optional();
    }

    public Optional<OAuthView> oauthView(String serverId) {
        return oauth(serverId).map(c -> new OAuthView(c.clientId(), c.clientSecret() == null ? null : "<redacted>", c.scopes(),
                c.authorizationEndpoint(), c.tokenEndpoint()));
    }

    /** The header a static token of this server goes in ({@link KeyHeader#BEARER} unless configured). */
    public KeyHeader keyHeader(String serverId) {
        return configuredKeyHeader(serverId).orElse(KeyHeader.BEARER);
    }

    public Optional<KeyHeader> configuredKeyHeader(String serverId) {
        return jdbc.sql("SELECT key_header, key_format FROM server_credentials WHERE server_id = ? AND key_header IS NOT NULL")
                .param(serverId).query((rs, n) -> new KeyHeader(rs.getString(1), rs.getString(2))).optional();
    }

    // --- writing

    /** Sets (or with null removes) the server's pre-registered OAuth client. */
    @Transactional
    public void setOAuth(String serverId, OAuthClient client) {
        ensureRow(serverId);
        jdbc.sql("UPDATE server_credentials SET oauth_client_id = ?, oauth_client_secret = ?, oauth_scopes = ?, oauth_authorization_url = ?, "
                        + "oauth_token_url = ?, updated_at = ? WHERE server_id = ?")
                .params(client == null ? null : client.clientId(),
                        client == null || client.clientSecret() == null ? null : secrets.encrypt(client.clientSecret(), sealedFor(serverId)),
                        client == null || client.scopes().isEmpty() ? null : String.join(" ", client.scopes()),
                        client == null ? null : client.authorizationEndpoint(), client == null ? null : client.tokenEndpoint(),
                        Timestamp.from(Instant.now()), serverId)
                .update();
    }

    /** Sets (or with null removes) the header a pasted key goes in. */
    @Transactional
    public void setKeyHeader(String serverId, KeyHeader header) {
        ensureRow(serverId);
        jdbc.sql("UPDATE server_credentials SET key_header = ?, key_format = ?, updated_at = ? WHERE server_id = ?")
                .params(header == null ? null : header.name(), header == null ? null : header.format(), Timestamp.from(Instant.now()), serverId)
                .update();
    }

    private void ensureRow(String serverId) {
        if (jdbc.sql("SELECT COUNT(*) FROM servers WHERE id = ?").param(serverId).query(Integer.class).single() == 0) {
            throw ProblemException.notFound("server", serverId);
        }
        if (jdbc.sql("SELECT COUNT(*) FROM server_credentials WHERE server_id = ?").param(serverId).query(Integer.class).single() == 0) {
            jdbc.sql("INSERT INTO server_credentials (server_id, updated_at) VALUES (?, ?)").params(serverId, Timestamp.from(Instant.now()))
                    .update();
        }
    }

    private static String sealedFor(String serverId) {
        return SecretBox.context("server_credentials", "oauth_client_secret", serverId);
    }

    private static List<String> scopes(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.stream(s.trim().split("\\s+")).toList();
    }
}
