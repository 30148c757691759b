package gatehouse.platform;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gatehouse.http.*}: what Gatehouse accepts at its HTTP edge, before any route runs.
 *
 * @param allowedHosts   Host header values (names or IP literals, any port) Gatehouse answers to,
 *                       besides the public URL's host; empty = the public URL's host and, when that
 *                       is a loopback name, the loopback names; {@code *} = any (checked elsewhere)
 * @param trustedProxies addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For}
 *                       and {@code X-Forwarded-Proto} are believed; from anyone else they are ignored
 */
@ConfigurationProperties("gatehouse.http")
public record EdgeProperties(@DefaultValue List<String> allowedHosts, @DefaultValue List<String> trustedProxies) {
    public EdgeProperties {
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    }
}
