package gatehouse.authserver;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The authorization server's settings (docs/configuration.md).
 *
 * @param redirectSchemes private-use URI schemes accepted as redirect URIs besides https and http on
 *                        loopback (e.g. {@code cursor}); empty by default
 * @param clientMetadataLoopbackAllowed lets client ID metadata document URLs use http and loopback
 *                        addresses (tests and local development only); off by default
 * @param clientMetadataFetchesPerHourPerHost, clientMetadataFetchesPerHour how many client metadata
 *                        documents may be fetched per hour from one host and in all (cached ones do not count)
 * @param clientMetadataUnconsentedMax how many fetched documents nobody has consented to yet are kept
 *                        (in memory only; a client is saved, with its host, when a person approves it)
 */
@ConfigurationProperties("gatehouse.oauth")
public record OAuthProperties(
        @DefaultValue("1h") Duration accessTokenTtl,
        @DefaultValue("30d") Duration refreshTokenTtl,
        @DefaultValue("2m") Duration authorizationCodeTtl,
        @DefaultValue("60") int registrationsPerHourPerAddress,
        @DefaultValue("1000") int registrationsPerHour,
        @DefaultValue List<String> redirectSchemes,
        @DefaultValue("false") boolean clientMetadataLoopbackAllowed,
        @DefaultValue("30") int clientMetadataFetchesPerHourPerHost,
        @DefaultValue("300") int clientMetadataFetchesPerHour,
        @DefaultValue("1000") int clientMetadataUnconsentedMax) {
}
