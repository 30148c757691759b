package gatehouse.platform;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gatehouse.http.outbound.*}: where services an administrator names may be reached — alert
 * channels (webhook, Slack) and content rules' DLP webhooks and Presidio analyzers. Their URLs are
 * typed into the admin API by people who may hold less than the whole machine (a gateway's
 * administrator writes its rules), so every request resolves the host once, refuses addresses in
 * link-local (cloud metadata), unspecified, multicast, documentation and the other special-purpose
 * ranges always, and connects to exactly the address it checked ({@link OutboundHttp}).
 *
 * <p>{@code privateAddressesAllowed} (default true) also lets them reach loopback and private
 * networks (RFC 1918, shared, unique local), where such services usually run (a Presidio sidecar,
 * an internal alert relay). Set it to false when they are all public, so a URL cannot be turned
 * against the services beside Gatehouse.
 */
@ConfigurationProperties("gatehouse.http.outbound")
public record OutboundProperties(@DefaultValue("true") boolean privateAddressesAllowed) {

    public static final OutboundProperties DEFAULTS = new OutboundProperties(true);

    /** The policy for one kind of request: its deadline and answer size. */
    public OutboundHttp.Policy policy(Duration deadline, int maxBytes) {
        return new OutboundHttp.Policy(AddressPolicy.allowed(privateAddressesAllowed, privateAddressesAllowed), deadline, maxBytes, true);
    }
}
