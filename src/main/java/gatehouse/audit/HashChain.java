package gatehouse.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tamper-evident chain over log records: each record's hash is HMAC-SHA256, with a key derived
 * from the master key, over the previous record's hash and this record's canonical fields. Someone
 * who can edit the database but does not hold the master key cannot change, insert or delete a
 * record without breaking a link that {@link LogVerifier} finds.
 */
final class HashChain {
    static final String GENESIS = "0".repeat(64);

    /**
     * One keyed MAC per thread (the writer's, an export's, the verifier's): looking the algorithm up
     * and initialising it per record cost more than the hash itself. {@code doFinal} resets it.
     */
    private final ThreadLocal<Mac> macs;

    HashChain(byte[] key) {
        byte[] k = key.clone();
        this.macs = ThreadLocal.withInitial(() -> newMac(k));
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    String hash(String previous, StoredRecord r) {
        Mac mac = macs.get();
        mac.reset();
        mac.update(previous.getBytes(StandardCharsets.US_ASCII));
        mac.update(canonical(r).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(mac.doFinal());
    }

    /**
     * Every stored field, each length-prefixed (so no separator inside a value can shift another).
     * Fields added after the first version come last and only when set, so older records hash as before.
     */
    static String canonical(StoredRecord r) {
        StringBuilder b = new StringBuilder(256);
        long micros = Math.addExact(Math.multiplyExact(r.time().getEpochSecond(), 1_000_000L), r.time().getNano() / 1_000);
        field(b, Long.toString(micros));
        field(b, r.correlationId());
        field(b, r.sessionId());
        field(b, r.connectionId());
        field(b, r.gatewayId());
        field(b, r.serverId());
        field(b, r.userId());
        field(b, r.hostId());
        field(b, r.direction());
        field(b, r.kind());
        field(b, r.method());
        field(b, r.tool());
        field(b, Double.toString(r.durationMs()));
        field(b, r.upstreamMs() == null ? null : Double.toString(r.upstreamMs()));
        field(b, r.inputTokens() == null ? null : r.inputTokens().toString());
        field(b, r.outputTokens() == null ? null : r.outputTokens().toString());
        field(b, r.argumentsBytes() == null ? null : r.argumentsBytes().toString());
        field(b, r.status());
        field(b, r.errorCode() == null ? null : r.errorCode().toString());
        field(b, r.errorMessage());
        field(b, r.decisions());
        field(b, r.clientName());
        field(b, r.clientVersion());
        field(b, r.traceId());
        // added later: absent (null) in records written before it, so their hashes still verify
        if (r.tokensEstimated() != null) {
            field(b, r.tokensEstimated() ? "estimated" : "exact");
        }
        return b.toString();
    }

    private static void field(StringBuilder b, String value) {
        if (value == null) {
            b.append("-;");
        } else {
            b.append(value.length()).append(':').append(value).append(';');
        }
    }
}
