package gatehouse.config;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The declarative configuration file ({@code --config FILE.yaml}): servers and gateways by name.
 * Applying it twice changes nothing the second time.
 */
public record DeclarativeConfig(List<Server> servers, List<Gateway> gateways) {
    public DeclarativeConfig {
        servers = servers == null ? List.of() : servers;
        gateways = gateways == null ? List.of() : gateways;
    }

    /** {@code command} is a list, or a program with {@code args}, or one command line (see {@link gatehouse.catalog.ServerCommand}). */
    public record Server(String name, String transport,
                         @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> command,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<String> args,
                         Map<String, String> env, String url, Map<String, String> headers,
                         @JsonInclude(JsonInclude.Include.NON_NULL) OAuth oauth,
                         @JsonInclude(JsonInclude.Include.NON_NULL) CredentialHeader credentialHeader) {
        public Server(String name, String transport, List<String> command, Map<String, String> env, String url, Map<String, String> headers) {
            this(name, transport, command, null, env, url, headers, null, null);
        }

        public Server(String name, String transport, List<String> command, List<String> args, Map<String, String> env, String url,
                      Map<String, String> headers) {
            this(name, transport, command, args, env, url, headers, null, null);
        }
    }

    /**
     * The server's pre-registered client at its OAuth authorization server (one that registers no
     * clients dynamically). {@code clientSecret} is never written in the file: it names an
     * environment variable, {@code ${NAME}}, read at start; absent for a public client (PKCE only).
     */
    public record OAuth(String clientId, @JsonInclude(JsonInclude.Include.NON_NULL) String clientSecret,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> scopes,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String authorizationEndpoint,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String tokenEndpoint) {
    }

    /** The header a person's pasted key goes in, and its format with {@code {token}} ({@code Token {token}}). */
    public record CredentialHeader(String name, @JsonInclude(JsonInclude.Include.NON_NULL) String format) {
    }

    /** A gateway, its servers, and (optionally) its provisioning settings. */
    public record Gateway(String name, List<GatewayServer> servers, @JsonInclude(JsonInclude.Include.NON_NULL) Provisioning provisioning) {
        public Gateway {
            servers = servers == null ? List.of() : servers;
        }

        public Gateway(String name, List<GatewayServer> servers) {
            this(name, servers, null);
        }
    }

    /**
     * A gateway's provisioning: per kind {@code allow-all}, {@code allow-selected} or
     * {@code block-all}; whether new features are approved without review; whether what a server
     * has when first assigned is approved by that act; the tool budget. Absent members are left as
     * they are.
     */
    public record Provisioning(String tools, String prompts, String resources, String resourceTemplates, Boolean autoApprove,
                               Boolean approveOnAssign, Integer toolBudget) {
    }

    /** A server in a gateway; per kind, features to enable or disable by their name upstream (or URI). */
    public record GatewayServer(String server, String identity, String prefix,
                                @JsonInclude(JsonInclude.Include.NON_NULL) Selection tools,
                                @JsonInclude(JsonInclude.Include.NON_NULL) Selection prompts,
                                @JsonInclude(JsonInclude.Include.NON_NULL) Selection resources,
                                @JsonInclude(JsonInclude.Include.NON_NULL) Selection resourceTemplates) {
        public GatewayServer(String server, String identity, String prefix) {
            this(server, identity, prefix, null, null, null, null);
        }
    }

    /** Features switched on ({@code enable}) or off ({@code disable}) by name. */
    public record Selection(List<String> enable, List<String> disable) {
        public Selection {
            enable = enable == null ? List.of() : enable;
            disable = disable == null ? List.of() : disable;
        }
    }
}
