package gatehouse.gateway.mrtr;

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

    /** Seals {@code payload} for {@code binding}, valid for {@code ttl}. */
    public String seal(ObjectNode payload, String binding, Duration ttl) {
        ObjectNode p = payload.deepCopy();
        p.put("exp", clock.instant().plus(ttl).getEpochSecond());
        String body = B64.encodeToString(Json.bytes(p));
        return PREFIX + body + "." + B64.encodeToString(mac(body, binding));
    }

    /** The payload of a state sealed for {@code binding}; throws {@link InvalidStateException} otherwise. */
    public ObjectNode open(String token, String binding) {
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
        if (!(payload instanceof ObjectNode o) || !o.path("exp").canConvertToLong()) {
            throw new InvalidStateException("malformed");
        }
        if (clock.instant().getEpochSecond() > o.get("exp").asLong()) {
            throw new InvalidStateException("expired");
        }
        return o;
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
