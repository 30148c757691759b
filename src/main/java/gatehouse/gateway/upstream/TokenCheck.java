package gatehouse.gateway.upstream;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.McpException;
import gatehouse.identity.UpstreamClients;
import gatehouse.identity.UpstreamCredentials;
import gatehouse.platform.LogSafe;

/**
 * Tries a token against its upstream before it is saved: initialize (or {@code server/discover})
 * and {@code tools/list} on the token alone, in the header the server takes its key in. The wizard
 * shows a refusal on its form and the admin API answers it as a 400, so a wrong token is never
 * saved as {@code ok} only to make the server's tools vanish from people's lists later.
 */
@Component
public class TokenCheck {
    private static final Logger log = LoggerFactory.getLogger(TokenCheck.class);

    private final Upstreams upstreams;
    private final UpstreamClients clients;

    public TokenCheck(Upstreams upstreams, UpstreamClients clients) {
        this.upstreams = upstreams;
        this.clients = clients;
    }

    /** What trying a token found. */
    public sealed interface Verdict permits Accepted, Refused, Unreachable {
    }

    /** The upstream listed its tools with the token. */
    public record Accepted() implements Verdict {
    }

    /** The upstream refused the token (HTTP 401) or failed with it; {@code why} in words for a person. */
    public record Refused(String why) implements Verdict {
    }

    /** The upstream could not be reached: it said nothing about the token. */
    public record Unreachable(String why) implements Verdict {
    }

    /** Why the upstream would not take {@code token}, in words for the person; empty when it listed its tools with it. */
    public Optional<String> refusal(ServerDef server, String token) {
        return switch (check(server, token)) {
            case Accepted a -> Optional.empty();
            case Refused r -> Optional.of(r.why());
            case Unreachable u -> Optional.of(u.why());
        };
    }

    /** Tries {@code token} against the server: initialize (or {@code server/discover}) and {@code tools/list}. */
    public Verdict check(ServerDef server, String token) {
        if (token == null || token.isBlank()) {
            return new Refused("Paste a token first.");
        }
        UpstreamClients.KeyHeader header = clients.keyHeader(server.id());
        UpstreamCredentials.Presented presented;
        try {
            presented = header.isBearer() ? new UpstreamCredentials.Bearer(token.trim())
                    : new UpstreamCredentials.KeyHeader(header.name(), header.value(token.trim()));
        } catch (RuntimeException e) {
            return new Refused("That token cannot be sent in a header (it contains line breaks or control characters).");
        }
        UpstreamSession session = null;
        try {
            session = upstreams.connect(server, Upstreams.ownInitParams(), Upstreams.presenting(server.name(), () -> presented, null), false);
            session.list("tools", upstreams.callTimeout());
            return new Accepted();
        } catch (UpstreamUnauthorizedException e) {
            return new Refused("Server '" + server.name() + "' refused this token (HTTP 401). Check that you copied all of it and that it "
                    + "is still valid" + (header.isBearer() ? "." : "; paste only the key, Gatehouse sends it as " + header.name() + ": "
                    + header.format() + "."));
        } catch (UpstreamException | McpException e) {
            log.info("token for server {} was not accepted: {}", server.name(), LogSafe.text(e.getMessage()));
            String why = "Server '" + server.name() + "' did not accept this token: " + e.getMessage();
            return unreachable(e) ? new Unreachable(why) : new Refused(why);
        } finally {
            if (session != null) {
                session.close();
            }
        }
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UpstreamUnreachableException) {
                return true;
            }
        }
        return false;
    }
}
