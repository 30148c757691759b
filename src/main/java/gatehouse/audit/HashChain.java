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
     * One keyed MAC and one buffer per thread (the writer's, an export's, the verifier's): looking
     * the algorithm up and initialising it per record cost more than the hash itself, and the
     * canonical fields are written straight into the buffer as UTF-8 rather than built as a string
     * and encoded. {@code doFinal} resets the MAC.
     */
    private final ThreadLocal<Hasher> hashers;

    HashChain(byte[] key) {
        byte[] k = key.clone();
        this.hashers = ThreadLocal.withInitial(() -> new Hasher(newMac(k)));
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
        Hasher h = hashers.get();
        h.size = 0;
        h.utf8(previous);
        canonical(r, h);
        Mac mac = h.mac;
        mac.reset();
        mac.update(h.bytes, 0, h.size);
        h.shrink();
        return HexFormat.of().formatHex(mac.doFinal());
    }

    /**
     * Every stored field, each length-prefixed (so no separator inside a value can shift another),
     * in UTF-8: what {@link #hash} takes the MAC of, after the previous hash. A field's length is
     * its length in UTF-16 characters, as the first version wrote it. Fields added after the first
     * version come last and only when set, so older records hash as before.
     */
    static byte[] canonical(StoredRecord r) {
        Hasher h = new Hasher(null);
        canonical(r, h);
        return java.util.Arrays.copyOf(h.bytes, h.size);
    }

    private static void canonical(StoredRecord r, Hasher b) {
        long micros = Math.addExact(Math.multiplyExact(r.time().getEpochSecond(), 1_000_000L), r.time().getNano() / 1_000);
        b.field(Long.toString(micros));
        b.field(r.correlationId());
        b.field(r.sessionId());
        b.field(r.connectionId());
        b.field(r.gatewayId());
        b.field(r.serverId());
        b.field(r.userId());
        b.field(r.hostId());
        b.field(r.direction());
        b.field(r.kind());
        b.field(r.method());
        b.field(r.tool());
        b.field(Double.toString(r.durationMs()));
        b.field(r.upstreamMs() == null ? null : Double.toString(r.upstreamMs()));
        b.field(r.inputTokens() == null ? null : r.inputTokens().toString());
        b.field(r.outputTokens() == null ? null : r.outputTokens().toString());
        b.field(r.argumentsBytes() == null ? null : r.argumentsBytes().toString());
        b.field(r.status());
        b.field(r.errorCode() == null ? null : r.errorCode().toString());
        b.field(r.errorMessage());
        b.field(r.decisions());
        b.field(r.clientName());
        b.field(r.clientVersion());
        b.field(r.traceId());
        // added later: absent (null) in records written before it, so their hashes still verify
        if (r.tokensEstimated() != null) {
            b.field(r.tokensEstimated() ? "estimated" : "exact");
        }
    }

    /** The canonical fields of a record, written as UTF-8 into a buffer reused from record to record. */
    private static final class Hasher {
        /** A buffer grown beyond this (a record with a long error or many decisions) is not kept. */
        private static final int KEPT_BYTES = 16 * 1024;
        final Mac mac;
        byte[] bytes = new byte[512];
        int size;

        Hasher(Mac mac) {
            this.mac = mac;
        }

        void field(String value) {
            if (value == null) {
                room(2);
                bytes[size++] = '-';
                bytes[size++] = ';';
                return;
            }
            utf8(Integer.toString(value.length()));
            room(1);
            bytes[size++] = ':';
            utf8(value);
            room(1);
            bytes[size++] = ';';
        }

        /** {@code s} in UTF-8: ASCII copied byte by byte, the rest (from the first other character) encoded by the JDK. */
        void utf8(String s) {
            int n = s.length();
            room(n);
            int i = 0;
            for (; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    break;
                }
                bytes[size++] = (byte) c;
            }
            if (i < n) {
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                room(rest.length);
                System.arraycopy(rest, 0, bytes, size, rest.length);
                size += rest.length;
            }
        }

        private void room(int n) {
            if (size + n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(2 * bytes.length, size + n));
            }
        }

        void shrink() {
            if (bytes.length > KEPT_BYTES) {
                bytes = new byte[512];
            }
        }
    }
}
