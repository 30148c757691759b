package gatehouse.identity;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where Gatehouse, as the OAuth client of an upstream, lets that upstream's metadata send it. Every
 * URL in discovery comes from the upstream, so: https only; loopback (and plain http to it) only
 * with {@code loopbackAllowed}, meant for tests; private addresses only when the server's own URL is
 * on one or {@code privateAddressesAllowed} says so; other special-purpose addresses never; each
 * answer at most {@code maxBytes} within {@code timeout}.
 */
@ConfigurationProperties("gatehouse.upstream-oauth")
public record UpstreamOAuthProperties(@DefaultValue("false") boolean loopbackAllowed,
                                      @DefaultValue("false") boolean privateAddressesAllowed,
                                      @DefaultValue("10s") Duration timeout,
                                      @DefaultValue("65536") int maxBytes) {
    public static final UpstreamOAuthProperties DEFAULTS = new UpstreamOAuthProperties(false, false, Duration.ofSeconds(10), 65536);
}
