package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the HTTP upstream transports share: bounded reads, redaction, origins, cancellable sends. */
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
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (bytes.length > max) {
            throw tooLarge(server, max);
        }
        return bytes;
    }

    static MessageTooLargeException tooLarge(String server, long max) {
        return new MessageTooLargeException("upstream '" + server + "' sent a message larger than the limit of " + max
                + " bytes (gatehouse.mcp.max-upstream-message-bytes)");
    }

    /**
     * Waits for the response headers of {@code sent}, at most {@code timeout}; cancelling the
     * future (an abort) or the time running out ends the exchange and frees its connection.
     */
    static <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> sent, Duration timeout)
            throws IOException, InterruptedException {
        try {
            return sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            sent.cancel(true);
            throw new java.net.http.HttpTimeoutException("no answer within " + timeout.toMillis() + " ms");
        } catch (CancellationException e) {
            throw new IOException("cancelled", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof CancellationException) {
                throw new IOException("cancelled", c);
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        } catch (InterruptedException e) {
            sent.cancel(true);
            throw e;
        }
    }
}
