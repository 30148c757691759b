package gatehouse.gateway.inputrequests;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import gatehouse.platform.Json;
import gatehouse.platform.SecretBox;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seals the {@code requestState} Gatehouse hands to stateless clients. The client holds it between
 * rounds and may change it, so it is integrity-protected: an HMAC-SHA256 over the payload and a
 * binding string (the connection and the request it was issued for) that is never sent. A state
 * replayed on another connection or for another request, edited, or past its expiry does not open.
 * Sealed, not encrypted: the client can read the payload, so nothing secret goes in it.
 *
 * <p>The key is derived from the master key, so every replica sharing the master key opens what
 * any of them sealed.
 */
@Component
public class RequestStateSeal {
    private static final String PREFIX = "ghrs1.";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String EXPIRES = "exp";
    private static final String KIND = "k";
    private static final String BRIDGED = "bridge";
    private static final String UPSTREAM = "upstream";
    private static final String CALL = "h";
    private static final String ROUND = "r";
    private static final String ANSWERS = "ans";
    private static final String UPSTREAM_STATE = "s";

    private final SecretKeySpec key;
    private final Clock clock;

    @Autowired
    public RequestStateSeal(SecretBox secrets) {
        this(secrets.derivedKey("mcp-request-state"), Clock.systemUTC());
    }

    public RequestStateSeal(byte[] key, Clock clock) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the requestState key must have at least 256 bits");
        }
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.clock = clock;
    }

    /** Why a state did not open; the client is told only that it is invalid. */
    public static final class InvalidStateException extends RuntimeException {
        private final String reason;

        InvalidStateException(String reason) {
            super("requestState is invalid: " + reason);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** Seals {@code state} for {@code binding}, valid for {@code ttl}. */
    public String seal(RequestState state, String binding, Duration ttl) {
        ObjectNode p = payload(state);
        p.put(EXPIRES, clock.instant().plus(ttl).getEpochSecond());
        String body = B64.encodeToString(Json.bytes(p));
        return PREFIX + body + "." + B64.encodeToString(mac(body, binding));
    }

    /** The state sealed for {@code binding}; throws {@link InvalidStateException} otherwise. */
    public RequestState open(String token, String binding) {
        if (token == null || !token.startsWith(PREFIX)) {
            throw new InvalidStateException("malformed");
        }
        String rest = token.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot != rest.lastIndexOf('.')) {
            throw new InvalidStateException("malformed");
        }
        String body = rest.substring(0, dot);
        byte[] given;
        byte[] json;
        try {
            given = B64D.decode(rest.substring(dot + 1));
            json = B64D.decode(body);
        } catch (IllegalArgumentException e) {
            throw new InvalidStateException("malformed");
        }
        if (!MessageDigest.isEqual(given, mac(body, binding))) {
            throw new InvalidStateException("mac");
        }
        JsonNode payload;
        try {
            payload = Json.MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidStateException("malformed");
        }
        if (!(payload instanceof ObjectNode o) || !o.path(EXPIRES).canConvertToLong()) {
            throw new InvalidStateException("malformed");
        }
        if (clock.instant().getEpochSecond() > o.get(EXPIRES).asLong()) {
            throw new InvalidStateException("expired");
        }
        return state(o);
    }

    // The token's payload: short keys keep it small; every replica reads the same ones.

    private static ObjectNode payload(RequestState state) {
        ObjectNode p = Json.object();
        switch (state) {
            case RequestState.Bridged b -> {
                p.put(KIND, BRIDGED);
                p.put(CALL, b.callId());
                p.put(ROUND, b.round());
                p.set(ANSWERS, b.answers());
            }
            case RequestState.Upstream u -> {
                p.put(KIND, UPSTREAM);
                if (u.upstreamState() != null) {
                    p.put(UPSTREAM_STATE, u.upstreamState());
                }
            }
        }
        return p;
    }

    private static RequestState state(ObjectNode p) {
        switch (p.path(KIND).asString("")) {
            case BRIDGED -> {
                if (!p.path(CALL).isString() || p.path(CALL).stringValue().isEmpty()) {
                    throw new InvalidStateException("malformed");
                }
                return new RequestState.Bridged(p.get(CALL).stringValue(), p.path(ROUND).asInt(-1),
                        p.get(ANSWERS) instanceof ObjectNode a ? a : Json.object());
            }
            case UPSTREAM -> {
                JsonNode s = p.get(UPSTREAM_STATE);
                return new RequestState.Upstream(s != null && s.isString() ? s.stringValue() : null);
            }
            default -> throw new InvalidStateException("malformed");
        }
    }

    private byte[] mac(String body, String binding) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((PREFIX + body).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            mac.update(binding.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
