package gatehouse.platform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTP/1.1 client for requests to URLs that someone else chose (OAuth metadata, token and
 * registration endpoints of upstreams, client metadata documents). It resolves the host once,
 * refuses the request unless every address is in an allowed {@link AddressPolicy} class, and then
 * connects to exactly that vetted address (TLS still verifies the certificate against the host
 * name), so a DNS answer cannot change between the check and the connection. It follows no
 * redirects, reads at most {@code maxBytes} of body and 16 KiB of headers, and gives up at an
 * overall deadline, however slowly the bytes trickle in. Bodies are JSON or forms, small; a new
 * connection per request is fine, except for content services called per message, which use a
 * {@link Pool} that keeps connections to the vetted address.
 */
public final class OutboundHttp {
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Why an outgoing request was not made or did not finish; the message names no secret. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Where requests may go: {@code https} always; {@code http} only to loopback and only when
     * loopback is allowed, unless {@code plainHttpAllowed} (services an administrator names, such
     * as a DLP sidecar on a private network) lets it reach every allowed address.
     */
    public record Policy(Set<AddressPolicy> allowed, Duration deadline, int maxBytes, boolean plainHttpAllowed) {
        public Policy {
            allowed = Set.copyOf(allowed);
        }

        public Policy(Set<AddressPolicy> allowed, Duration deadline, int maxBytes) {
            this(allowed, deadline, maxBytes, false);
        }

        public boolean loopbackAllowed() {
            return allowed.contains(AddressPolicy.LOOPBACK);
        }
    }

    public record Response(int status, Map<String, String> headers, byte[] body) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private OutboundHttp() {
    }

    public static Response get(URI url, Map<String, String> headers, Policy policy) {
        return send("GET", url, headers, null, policy);
    }

    public static Response post(URI url, Map<String, String> headers, String body, Policy policy) {
        return send("POST", url, headers, body.getBytes(StandardCharsets.UTF_8), policy);
    }

    /** The URL's own checks (scheme, host, no user info), without any network traffic. */
    public static void checkUrl(URI url, Policy policy) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url.getHost() == null || url.getRawUserInfo() != null) {
            throw new Refused("URL must have a host and no user info: " + LogSafe.url(url.toString()));
        }
        if (scheme.equals("https")) {
            return;
        }
        if (!(scheme.equals("http") && (policy.loopbackAllowed() || policy.plainHttpAllowed()))) {
            throw new Refused("URL must use https: " + LogSafe.url(url.toString()));
        }
    }

    /** The vetted address of a URL's host: every address it resolves to must be allowed. */
    public static InetAddress vet(URI url, Policy policy) {
        checkUrl(url, policy);
        InetAddress[] all;
        try {
            all = AddressPolicy.resolve(url.getHost());
        } catch (UnknownHostException e) {
            throw new Refused("host does not resolve: " + LogSafe.host(url.getHost()));
        }
        boolean http = "http".equalsIgnoreCase(url.getScheme());
        for (InetAddress a : all) {
            AddressPolicy c = AddressPolicy.classify(a);
            if (http && c != AddressPolicy.LOOPBACK && !policy.plainHttpAllowed()) {
                throw new Refused("URL must use https (plain http only to a loopback address): " + LogSafe.url(url.toString()));
            }
            if (!policy.allowed().contains(c)) {
                throw new Refused("host " + LogSafe.host(url.getHost()) + " has a " + c.name().toLowerCase(Locale.ROOT)
                        + " address, which this request may not reach");
            }
        }
        return all[0];
    }

    private static Response send(String method, URI url, Map<String, String> headers, byte[] body, Policy policy) {
        return send(method, url, headers, body, policy, null);
    }

    /**
     * One exchange. With a pool, a connection kept from an earlier exchange is used only when it goes to
     * the address this exchange has just vetted; one that the server closed while idle is replaced once.
     */
    private static Response send(String method, URI url, Map<String, String> headers, byte[] body, Policy policy, Pool pool) {
        InetAddress address = vet(url, policy);
        Instant deadline = Instant.now().plus(policy.deadline());
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        Route route = new Route(tls, url.getHost().toLowerCase(Locale.ROOT), port, address);
        byte[] head = head(method, url, headers, body, pool != null);
        for (int attempt = 0; ; attempt++) {
            Socket kept = pool == null || attempt > 0 ? null : pool.take(route);
            Socket socket = null;
            boolean reusable = false;
            try {
                socket = kept != null ? kept : connect(address, url.getHost(), port, tls, deadline);
                OutputStream out = socket.getOutputStream();
                out.write(head);
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                Reader r = new Reader(socket.getInputStream(), socket, deadline);
                Response response = read(r, policy.maxBytes(), url);
                reusable = pool != null && r.complete && r.pos == r.len
                        && !response.header("connection").map(v -> v.toLowerCase(Locale.ROOT).contains("close")).orElse(false);
                if (reusable) {
                    pool.give(route, socket);
                }
                return response;
            } catch (EndedBeforeAnswer e) {
                if (kept == null) {
                    throw new Refused(LogSafe.url(url.toString()) + " did not answer HTTP");
                }
                // the server closed the kept connection while it was idle: once more on a new one
            } catch (SocketTimeoutException e) {
                throw new Refused(LogSafe.url(url.toString()) + " did not answer within " + policy.deadline().toMillis() + " ms");
            } catch (IOException e) {
                if (kept == null || Instant.now().isAfter(deadline)) {
                    throw new Refused("cannot reach " + LogSafe.url(url.toString()) + ": " + e.getClass().getSimpleName());
                }
            } finally {
                if (!reusable && socket != null) {
                    closeQuietly(socket);
                }
            }
        }
    }

    private static byte[] head(String method, URI url, Map<String, String> headers, byte[] body, boolean keepAlive) {
        StringBuilder head = new StringBuilder();
        String target = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(url.getRawAuthority()).append("\r\n");
        head.append(keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n").append("User-Agent: Gatehouse\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().indexOf('\r') >= 0 || h.getKey().indexOf('\n') >= 0 || h.getValue().indexOf('\r') >= 0
                    || h.getValue().indexOf('\n') >= 0) {
                throw new Refused("a header holds a line break");
            }
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Where a kept connection goes: scheme, host (the TLS name), port and the address that was vetted. */
    private record Route(boolean tls, String host, int port, InetAddress address) {
    }

    /** A server that closed the connection before the first byte of an answer (a kept connection gone stale). */
    private static final class EndedBeforeAnswer extends IOException {
        EndedBeforeAnswer() {
            super("ended before an answer", null);
        }
    }

    /**
     * Connections kept open between exchanges with the same services (a Presidio analyzer, a DLP
     * webhook), so a message costs no new TCP or TLS handshake. The host is still resolved and vetted
     * for every exchange (the resolver's cache makes that cheap), and a kept connection is used only
     * when its address is the one just vetted: a DNS answer that changes to another address, allowed
     * or not, never reaches a connection made for the old one. Idle connections close after
     * {@code idleTimeout}; at most {@code perRoute} are kept per destination.
     */
    public static final class Pool {
        private final Duration idleTimeout;
        private final int perRoute;
        private final Map<Route, java.util.ArrayDeque<Kept>> idle = new java.util.HashMap<>();

        private record Kept(Socket socket, Instant since) {
        }

        public Pool(Duration idleTimeout, int perRoute) {
            if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero() || perRoute < 1) {
                throw new IllegalArgumentException("a pool needs a positive idle timeout and at least one connection per destination");
            }
            this.idleTimeout = idleTimeout;
            this.perRoute = perRoute;
        }

        public Response post(URI url, Map<String, String> headers, String body, Policy policy) {
            return send("POST", url, headers, body.getBytes(StandardCharsets.UTF_8), policy, this);
        }

        /** Closes every kept connection. */
        public void clear() {
            List<Kept> all = new java.util.ArrayList<>();
            synchronized (idle) {
                idle.values().forEach(all::addAll);
                idle.clear();
            }
            all.forEach(k -> closeQuietly(k.socket()));
        }

        private Socket take(Route route) {
            List<Kept> expired = new java.util.ArrayList<>();
            Socket found = null;
            synchronized (idle) {
                Instant oldest = Instant.now().minus(idleTimeout);
                for (var it = idle.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    while (!e.getValue().isEmpty() && e.getValue().peekFirst().since().isBefore(oldest)) {
                        expired.add(e.getValue().pollFirst());
                    }
                    if (e.getValue().isEmpty()) {
                        it.remove();
                    }
                }
                java.util.ArrayDeque<Kept> q = idle.get(route);
                while (found == null && q != null && !q.isEmpty()) {
                    Kept k = q.pollLast();
                    if (k.socket().isClosed()) {
                        expired.add(k);
                    } else {
                        found = k.socket();
                    }
                }
            }
            expired.forEach(k -> closeQuietly(k.socket()));
            return found;
        }

        private void give(Route route, Socket socket) {
            Kept surplus = null;
            synchronized (idle) {
                java.util.ArrayDeque<Kept> q = idle.computeIfAbsent(route, r -> new java.util.ArrayDeque<>());
                q.addLast(new Kept(socket, Instant.now()));
                if (q.size() > perRoute) {
                    surplus = q.pollFirst();
                }
            }
            if (surplus != null) {
                closeQuietly(surplus.socket());
            }
        }
    }

    private static Socket connect(InetAddress address, String host, int port, boolean tls, Instant deadline) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(address, port), remaining(deadline));
            plain.setSoTimeout(remaining(deadline));
            if (!tls) {
                return plain;
            }
            SSLSocket s = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host, whatever address we dialled
            if (!host.startsWith("[") && !Character.isDigit(host.charAt(host.length() - 1))) {
                p.setServerNames(List.of(new SNIHostName(host)));
            }
            s.setSSLParameters(p);
            s.startHandshake();
            return s;
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            plain.close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getClass().getSimpleName());
        }
    }

    private static int remaining(Instant deadline) throws SocketTimeoutException {
        long ms = Duration.between(Instant.now(), deadline).toMillis();
        if (ms <= 0) {
            throw new SocketTimeoutException("deadline");
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private static Response read(Reader r, int maxBytes, URI url) throws IOException {
        String status = r.line(MAX_HEADER_BYTES);
        if (status == null) {
            throw new EndedBeforeAnswer();
        }
        if (!status.startsWith("HTTP/1.")) {
            throw new Refused(LogSafe.url(url.toString()) + " did not answer HTTP");
        }
        String[] parts = status.split(" ", 3);
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            throw new Refused(LogSafe.url(url.toString()) + " sent a malformed status line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int headerBytes = status.length();
        while (true) {
            String line = r.line(MAX_HEADER_BYTES);
            if (line == null) {
                throw new Refused(LogSafe.url(url.toString()) + " ended within its headers");
            }
            if (line.isEmpty()) {
                break;
            }
            headerBytes += line.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new Refused(LogSafe.url(url.toString()) + " sent more than " + MAX_HEADER_BYTES + " bytes of headers");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        if (te.contains("chunked")) {
            while (true) {
                String size = r.line(1024);
                if (size == null) {
                    throw new Refused(LogSafe.url(url.toString()) + " ended within a chunked body");
                }
                int semi = size.indexOf(';');
                long n;
                try {
                    n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new Refused(LogSafe.url(url.toString()) + " sent a malformed chunk");
                }
                if (n == 0) {
                    // trailer fields, then the empty line that ends the answer
                    String trailer;
                    do {
                        trailer = r.line(MAX_HEADER_BYTES);
                    } while (trailer != null && !trailer.isEmpty());
                    if (trailer == null) {
                        return new Response(code, Map.copyOf(headers), body.toByteArray());
                    }
                    break;
                }
                if (body.size() + n > maxBytes) {
                    throw tooLarge(url, maxBytes);
                }
                r.copy(body, n);
                r.line(2);
            }
        } else if (headers.containsKey("content-length")) {
            long n;
            try {
                n = Long.parseLong(headers.get("content-length").trim());
            } catch (NumberFormatException e) {
                throw new Refused(LogSafe.url(url.toString()) + " sent a malformed Content-Length");
            }
            if (n > maxBytes) {
                throw tooLarge(url, maxBytes);
            }
            r.copy(body, n);
        } else {
            r.copyToEnd(body, maxBytes, url);
            return new Response(code, Map.copyOf(headers), body.toByteArray());
        }
        r.complete = true; // the body's end was known, so the connection can carry another exchange
        return new Response(code, Map.copyOf(headers), body.toByteArray());
    }

    private static Refused tooLarge(URI url, int maxBytes) {
        return new Refused(LogSafe.url(url.toString()) + " answered more than " + maxBytes + " bytes");
    }

    /** Reads with the deadline checked before every read, so a byte-by-byte trickle ends on time. */
    private static final class Reader {
        private final InputStream in;
        private final Socket socket;
        private final Instant deadline;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int len;
        /** Whether the answer ended where its length said (not at the connection's end). */
        private boolean complete;

        Reader(InputStream in, Socket socket, Instant deadline) {
            this.in = in;
            this.socket = socket;
            this.deadline = deadline;
        }

        private boolean fill() throws IOException {
            if (pos < len) {
                return true;
            }
            socket.setSoTimeout(remaining(deadline));
            len = in.read(buf);
            pos = 0;
            return len > 0;
        }

        String line(int max) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                if (!fill()) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                line.write(b);
                if (line.size() > max) {
                    throw new Refused("a header line is longer than " + max + " bytes");
                }
            }
        }

        void copy(ByteArrayOutputStream to, long n) throws IOException {
            long left = n;
            while (left > 0) {
                if (!fill()) {
                    throw new Refused("the answer ended early");
                }
                int take = (int) Math.min(left, len - pos);
                to.write(buf, pos, take);
                pos += take;
                left -= take;
            }
        }

        void copyToEnd(ByteArrayOutputStream to, int max, URI url) throws IOException {
            while (fill()) {
                int take = len - pos;
                if (to.size() + take > max) {
                    throw tooLarge(url, max);
                }
                to.write(buf, pos, take);
                pos += take;
            }
        }
    }
}
