package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Locale;

/** Plain helpers of the upstream transports: bounded reads, redaction, origins, error words. */
final class UpstreamIo {
    /** The default of {@code gatehouse.mcp.max-upstream-message-bytes}. */
    static final long DEFAULT_MAX_MESSAGE_BYTES = 16L << 20;

    private UpstreamIo() {
    }

    /**
     * The URI as error messages show it: scheme://host[:port]/path. No query (it may carry an API
     * key), no user info, no fragment.
     */
    static String redact(URI uri) {
        if (uri == null) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        if (uri.getScheme() != null) {
            s.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            s.append(uri.getHost());
        }
        if (uri.getPort() >= 0) {
            s.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            s.append(uri.getRawPath());
        }
        return s.toString();
    }

    static String redact(String uri) {
        try {
            return redact(URI.create(uri));
        } catch (IllegalArgumentException e) {
            return "(invalid URL)";
        }
    }

    /** Whether {@code a} and {@code b} share scheme, host and port (default ports filled in). */
    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return switch (u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT)) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
    }

    /** The whole body, or {@link MessageTooLargeException} when it holds more than {@code max} bytes. */
    static byte[] readBounded(InputStream in, long max, String server) throws IOException {
        long declared = in instanceof MessageClient.Body b ? b.declaredLeft() : -1;
        if (declared > max) {
            throw tooLarge(server, max);
        }
        if (declared >= 0) {
            // A declared length is read into one array of that size: no 8 K pieces joined at the end.
            byte[] bytes = new byte[(int) declared];
            int n = in.readNBytes(bytes, 0, bytes.length);
            return n == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, n);
        }
        return readGrowing(in, (int) Math.min(Integer.MAX_VALUE - 8, max), server, max);
    }

    /** A body of unknown length, in one array that doubles as it fills (at most {@code limit} bytes, else too large). */
    private static byte[] readGrowing(InputStream in, int limit, String server, long max) throws IOException {
        byte[] buf = new byte[Math.min(limit + 1, 16 * 1024)];
        int len = 0;
        while (true) {
            if (len == buf.length) {
                if (len > limit) {
                    throw tooLarge(server, max);
                }
                buf = java.util.Arrays.copyOf(buf, (int) Math.min((long) limit + 1, (long) buf.length * 2));
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                break;
            }
            len += n;
        }
        if (len > limit) {
            throw tooLarge(server, max);
        }
        return len == buf.length ? buf : java.util.Arrays.copyOf(buf, len);
    }

    static MessageTooLargeException tooLarge(String server, long max) {
        return new MessageTooLargeException("upstream '" + server + "' sent a message larger than the limit of " + max
                + " bytes (gatehouse.mcp.max-upstream-message-bytes)");
    }

    /** An I/O failure in words a client may see (no addresses beyond what the caller adds). */
    static String describe(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the server running?)";
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "connection timed out";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
