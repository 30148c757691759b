package gatehouse.authserver;

import java.util.List;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.DelegatingOAuth2TokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.web.authentication.AuthenticationConverter;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import gatehouse.catalog.CatalogService;
import gatehouse.identity.Directory;
import gatehouse.identity.IdentityVault;

/**
 * Spring's authorization server, wired for MCP clients. {@link #configure} is applied by the
 * authorization-server security chain (gatehouse.authserver.SecurityChains).
 */
@Configuration
@EnableConfigurationProperties(OAuthProperties.class)
public class AuthorizationServerConfig {
    public static final String CONSENT_PAGE = "/connect";
    @Bean
    GatehouseClients registeredClientRepository(JdbcTemplate template, JdbcClient jdbc, CatalogService catalog, OAuthProperties props) {
        return new GatehouseClients(template, jdbc, catalog, new ClientMetadataDocuments(props), Math.max(1, props.clientMetadataUnconsentedMax()));
    }

    @Bean
    TrackingAuthorizationService authorizationService(JdbcTemplate template, JdbcClient jdbc, GatehouseClients clients, Revocations revocations,
                                                      gatehouse.platform.SecretBox secrets) {
        return new TrackingAuthorizationService(template, jdbc, clients, revocations, secrets.derivedKey("oauth2-token-values"));
    }

    @Bean
    OAuth2AuthorizationConsentService authorizationConsentService(JdbcTemplate template, GatehouseClients clients) {
        return new JdbcOAuth2AuthorizationConsentService(template, clients);
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings(Resources resources) {
        return AuthorizationServerSettings.builder().issuer(resources.issuer()).build();
    }

    @Bean
    JWKSource<SecurityContext> jwkSource(SigningKeys keys) {
        return new ImmutableJWKSet<>(new JWKSet(keys.jwk()));
    }

    /** Used by Spring for registration-endpoint bearer tokens (Gatehouse registers openly, so rarely). */
    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys) {
        return NimbusJwtDecoder.withPublicKey(keys.publicKey()).build();
    }

    @Bean
    ConnectionBinding connectionBinding(CatalogService catalog, Directory directory, IdentityVault vault, Resources resources,
                                        GatehouseClients clients, gatehouse.alerts.AlertService alerts,
                                        @org.springframework.beans.factory.annotation.Value("${gatehouse.oauth.max-connections-per-user:100}")
                                        int maxConnectionsPerUser) {
        return new ConnectionBinding(catalog, directory, vault, resources, clients::persistConsented, Math.max(1, maxConnectionsPerUser),
                who -> {
                    try {
                        alerts.raise("bound-reached", "warning", "gatehouse.oauth.max-connections-per-user " + who[0], who[2],
                                new gatehouse.alerts.AlertService.About(who[1], null, null),
                                gatehouse.platform.Json.object().put("setting", "gatehouse.oauth.max-connections-per-user")
                                        .put("limit", maxConnectionsPerUser).put("subject", who[0]));
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(ConnectionBinding.class).warn("could not raise the bound-reached alert: {}", e.toString());
                    }
                });
    }

    @Bean
    OAuth2TokenGenerator<?> tokenGenerator(JWKSource<SecurityContext> jwkSource, ConnectionBinding binding) {
        JwtEncoder encoder = new NimbusJwtEncoder(jwkSource);
        JwtGenerator jwt = new JwtGenerator(encoder);
        jwt.setJwtCustomizer(binding.tokenCustomizer());
        return new DelegatingOAuth2TokenGenerator(jwt, new PublicClients.RefreshTokens());
    }

    /** Not a bean: a filter bean would also be registered for every URL by Spring Boot. */
    public static jakarta.servlet.Filter registrationRateLimiter(OAuthProperties props, AuthorizationServerSettings settings) {
        return new RegistrationRateLimiter(settings.getClientRegistrationEndpoint(), props.registrationsPerHourPerAddress(),
                props.registrationsPerHour());
    }

    /** Everything Gatehouse changes about Spring's defaults, in one place. */
    public static void configure(OAuth2AuthorizationServerConfigurer as, OAuthProperties props, Resources resources,
                                 GatehouseClients clients, ConnectionBinding binding) {
        AuthenticationConverter publicClientConverter = new PublicClients.Converter();
        as.clientRegistrationEndpoint(reg -> reg.openRegistrationAllowed(true)
                        .authenticationProviders(providers -> providers.forEach(p -> {
                            if (p instanceof OAuth2ClientRegistrationAuthenticationProvider r) {
                                r.setOpenRegistrationAllowed(true);
                                r.setAuthenticationValidator(new RegistrationPolicy(props));
                                r.setRegisteredClientConverter(RegistrationPolicy.converter(props));
                            }
                        })))
                .authorizationEndpoint(auth -> auth.consentPage(CONSENT_PAGE)
                        .authenticationProviders(providers -> providers.forEach(p -> {
                            if (p instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider r) {
                                r.setAuthenticationValidator(new AuthorizationRequestPolicy(resources));
                                // Every authorization goes through the connection wizard, even a repeat one.
                                r.setAuthorizationConsentRequired(context -> true);
                            }
                            if (p instanceof OAuth2AuthorizationConsentAuthenticationProvider c) {
                                c.setAuthorizationConsentCustomizer(binding.consentCustomizer());
                            }
                        })))
                .clientAuthentication(ca -> ca.authenticationConverter(publicClientConverter)
                        .authenticationProvider(new PublicClients.Provider(clients)))
                .authorizationServerMetadataEndpoint(meta -> meta.authorizationServerMetadataCustomizer(m -> m
                        .claim("client_id_metadata_document_supported", true)
                        .tokenEndpointAuthenticationMethods(methods -> {
                            if (!methods.contains("none")) {
                                methods.add(0, "none");
                            }
                        })
                        .tokenRevocationEndpointAuthenticationMethods(methods -> {
                            if (!methods.contains("none")) {
                                methods.add(0, "none");
                            }
                        })
                        .grantTypes(grants -> {
                            grants.clear();
                            grants.addAll(List.of(AuthorizationGrantType.AUTHORIZATION_CODE.getValue(),
                                    AuthorizationGrantType.REFRESH_TOKEN.getValue()));
                        })
                        .codeChallengeMethods(m2 -> {
                            m2.clear();
                            m2.add("S256");
                        })));
    }
}
