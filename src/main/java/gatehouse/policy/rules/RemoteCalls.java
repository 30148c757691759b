package gatehouse.policy.rules;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import gatehouse.platform.LogSafe;
import gatehouse.platform.OutboundHttp;
import gatehouse.platform.OutboundProperties;

/**
 * One POST to a content service (a Presidio analyzer, a DLP webhook), whose URL a gateway's
 * administrator typed: through {@link OutboundHttp}, so the host is resolved once, every address
 * checked against {@code gatehouse.http.outbound.*} (cloud metadata and other special ranges never;
 * loopback and private networks only when allowed) and the connection goes to that address, no
 * redirects, one deadline for the whole exchange however slowly bytes arrive, connections kept
 * for the next message to the same vetted address, answers capped at
 * 4 MiB. Failures become {@link DetectorException}s that say what happened without echoing the
 * service's body or the URL's path (a webhook's path may be its key).
 */
final class RemoteCalls {
    static final int MAX_BODY = 4 << 20;

    private static volatile OutboundProperties settings = OutboundProperties.DEFAULTS;
    /**
     * Connections kept between messages, per destination and vetted address: a Presidio call or a
     * webhook then costs no new TCP (or TLS) handshake, and the address is still vetted per message.
     */
    private static final OutboundHttp.Pool POOL = new OutboundHttp.Pool(Duration.ofSeconds(30), 8);

    private RemoteCalls() {
    }

    /** The installation's outbound settings; until set, the defaults. */
    static void configure(OutboundProperties s) {
        settings = s;
    }

    static OutboundHttp.Response post(URI url, String json, Duration timeout, String what) {
        try {
            return POOL.post(url, Map.of("Content-Type", "application/json"), json, settings.policy(timeout, MAX_BODY));
        } catch (OutboundHttp.Refused e) {
            String reason = String.valueOf(e.getMessage());
            if (reason.contains("did not answer within") || reason.contains("deadline")) {
                throw new DetectorException(what + " did not answer within " + timeout.toMillis() + " ms");
            }
            if (reason.startsWith("cannot reach")) {
                throw new DetectorException(what + " unreachable (" + reason.substring(reason.lastIndexOf(": ") + 2) + ")");
            }
            throw new DetectorException(what + " refused: " + reason.replace(LogSafe.url(url.toString()), LogSafe.host(url.getHost())));
        }
    }
}
