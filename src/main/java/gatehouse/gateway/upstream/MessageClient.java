package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The blocking HTTP/1.1 client that carries the message POSTs of HTTP upstreams. A POST is one
 * write and reads on the calling (virtual) thread, over a connection kept from an earlier POST to
 * the same scheme, host and port: no selector hop, no futures, no thread per step. A 2025 upstream
 * session's GET stream and the DELETE that ends it use it too (a GET stream holds its connection
 * until it ends); the legacy SSE transport and the 2026-07-28 listen stream stay on {@code java.net.http}.
 *
 * <p>What it does: Content-Length, chunked and close-delimited bodies, read incrementally by the
 * caller; a bound on the wait for the response head; TLS with SNI and host-name verification;
 * interim 1xx answers skipped; an {@link Abort} that ends the exchange from any thread by closing
 * its connection. A connection goes back to the pool only when its body was read to its declared
 * end and nothing followed it; else it is closed.
 *
 * <p><b>A POST is never sent twice.</b> A kept connection the server may have closed is the one
 * risk of keep-alive; it is met before the request is written, never after: kept connections are
 * closed after {@link #IDLE_LIMIT} (below the 5 s Node's HTTP server keeps idle connections, far
 * below most others) or one second before the {@code Keep-Alive: timeout} the server announced,
 * and each is checked with a non-blocking read just before it is reused (a server that closed it
 * has sent its FIN by then: the read sees the end, and the connection is dropped for a new one).
 * Once any byte of a request was written there is no retry: a connection that fails then fails the
 * call, because the server may have received and acted on the request.
 */
final class MessageClient implements AutoCloseable {
    /** How long a connection is kept idle at most. */
    static final Duration IDLE_LIMIT = Duration.ofSeconds(4);
    private static final int PER_ROUTE = 64;
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_LINE_BYTES = 16 * 1024;
    private static final int MAX_INTERIM = 8;
    private static final List<String> MANAGED = List.of("host", "content-length", "transfer-encoding", "connection", "expect",
            "upgrade", "te", "trailer", "keep-alive");

    /** The timer of every pool's sweep (and of the deadlines, see {@link Deadlines}). */
    static final ScheduledThreadPoolExecutor TIMER;

    static {
        TIMER = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("upstream-timer").daemon(true).factory());
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private static volatile MessageClient shared;

    private final int connectTimeoutMs;
    private final long idleLimitNanos;
    private final SSLSocketFactory tls;
    private final Map<Route, ArrayDeque<Conn>> idle = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();
    private final ScheduledFuture<?> sweep;
    private volatile boolean closed;

    /** {@code tls}: the factory TLS connections come from; null: the JVM's default context. */
    MessageClient(Duration connectTimeout, Duration idleLimit, SSLSocketFactory tls) {
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || idleLimit == null || idleLimit.isNegative() || idleLimit.isZero()) {
            throw new IllegalArgumentException("a message client needs a positive connect timeout and idle limit");
        }
        this.connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.idleLimitNanos = idleLimit.toNanos();
        this.tls = tls;
        long every = Math.max(100, idleLimit.toMillis() / 4);
        this.sweep = TIMER.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    MessageClient(Duration connectTimeout) {
        this(connectTimeout, IDLE_LIMIT, null);
    }

    /** One client for code that builds upstream sessions by hand (tests); Gatehouse's own is made by {@link Upstreams}. */
    static MessageClient shared() {
        MessageClient c = shared;
        if (c == null) {
            synchronized (MessageClient.class) {
                c = shared;
                if (c == null) {
                    c = new MessageClient(Duration.ofSeconds(10));
                    shared = c;
                }
            }
        }
        return c;
    }

    /** How many connections this client has opened so far. */
    long connectionsOpened() {
        return connections.get();
    }

    /** How many connections wait in the pool now. */
    int idleConnections() {
        int n = 0;
        for (ArrayDeque<Conn> q : idle.values()) {
            synchronized (q) {
                n += q.size();
            }
        }
        return n;
    }

    /** Closes every kept connection and stops the sweep; exchanges under way go on. */
    @Override
    public void close() {
        closed = true;
        sweep.cancel(false);
        for (ArrayDeque<Conn> q : idle.values()) {
            List<Conn> all;
            synchronized (q) {
                all = new ArrayList<>(q);
                q.clear();
            }
            all.forEach(Conn::close);
        }
    }

    /**
     * Ends one exchange from any thread (a cancel, a deadline) by closing its connection; an
     * exchange aborted before it began never starts. Taken by one exchange.
     */
    static final class Abort {
        private static final Object ABORTED = new Object();
        private final AtomicReference<Object> state = new AtomicReference<>();
        private volatile long headDeadlineNanos;
        /** Set when {@link #HEADS} ended the exchange (a timeout, not a cancel). */
        private volatile boolean headTimedOut;

        void abort() {
            Object s = state.getAndSet(ABORTED);
            if (s instanceof Conn c) {
                c.close();
            }
        }

        boolean aborted() {
            return state.get() == ABORTED;
        }

        private boolean attach(Conn c) {
            return state.compareAndSet(null, c);
        }

        /** The connection is no longer this exchange's; false when an abort closed it first. */
        private boolean detach(Conn c) {
            return state.compareAndSet(c, null);
        }
    }

    /** A response's status and head; its body is read from {@link #body()}, and closing it frees the connection. */
    static final class Response implements AutoCloseable {
        private final int status;
        private final List<String> headers;
        private final Body body;

        private Response(int status, List<String> headers, Body body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        int status() {
            return status;
        }

        /** Every value of header {@code name} (any case), in order. */
        List<String> all(String name) {
            List<String> values = new ArrayList<>(1);
            for (int i = 0; i < headers.size(); i += 2) {
                if (headers.get(i).equalsIgnoreCase(name)) {
                    values.add(headers.get(i + 1));
                }
            }
            return values;
        }

        /** The first value of header {@code name} (any case), or null. */
        String header(String name) {
            for (int i = 0; i < headers.size(); i += 2) {
                if (headers.get(i).equalsIgnoreCase(name)) {
                    return headers.get(i + 1);
                }
            }
            return null;
        }

        InputStream body() {
            return body;
        }

        @Override
        public void close() {
            body.close();
        }
    }

    /** Where requests go, parsed once: the route and the request line (POST unless said) with its Host header. */
    static final class Target {
        private final Route route;
        private final byte[] start;
        /** Whether a request without content says so ({@code Content-Length: 0}): only a POST's does. */
        private final boolean post;

        Target(URI uri) {
            this(uri, "POST");
        }

        /** {@code method}: POST, GET or DELETE. */
        Target(URI uri, String method) {
            if (!List.of("POST", "GET", "DELETE").contains(method)) {
                throw new IllegalArgumentException("not a method this client sends: " + method);
            }
            this.route = Route.of(uri);
            this.post = method.equals("POST");
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            this.start = (method + " " + path + query + " HTTP/1.1\r\nHost: " + route.authority() + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** As {@link #post(Target, List, byte[], Duration, boolean, Abort)} to {@code uri}. */
    Response post(URI uri, List<String> headers, byte[] body, Duration headTimeout, boolean boundBody, Abort abort)
            throws IOException {
        return post(new Target(uri), headers, body, headTimeout, boundBody, abort);
    }

    /**
     * Sends {@code body} to {@code target} (its method) with {@code headers} (name, value, name, value, ...), waiting
     * at most {@code headTimeout} for the response head. {@code boundBody}: each read of the body is
     * bounded by the same time (else the body is read for as long as the caller wants, and a deadline
     * ends it through {@code abort}).
     */
    Response post(Target target, List<String> headers, byte[] body, Duration headTimeout, boolean boundBody, Abort abort)
            throws IOException {
        Route route = target.route;
        byte[] request = request(target, headers, body);
        int headMs = (int) Math.clamp(headTimeout.toMillis(), 1, Integer.MAX_VALUE);
        Conn conn = take(route);
        if (conn == null) {
            conn = open(route, abort);
        }
        if (!abort.attach(conn)) {
            conn.close();
            throw new IOException("cancelled");
        }
        HEADS.watch(abort, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(headMs));
        try {
            conn.socket.setSoTimeout(headMs);
            conn.out.write(request);
            if (body.length > INLINE_BODY) {
                conn.out.write(body); // a large body is written from where it is, after its head
            }
            conn.out.flush();
            Response r = readHead(conn, abort);
            if (!boundBody && !r.body.done) {
                conn.socket.setSoTimeout(0); // not yet released: still this exchange's alone
            }
            return r;
        } catch (SocketTimeoutException e) {
            dropAfterFailure(conn, abort);
            throw new HttpTimeoutException("request timed out");
        } catch (IOException | RuntimeException e) {
            dropAfterFailure(conn, abort);
            if (abort.headTimedOut) {
                throw new HttpTimeoutException("request timed out");
            }
            if (abort.aborted()) {
                throw new IOException("cancelled", e);
            }
            throw e;
        } finally {
            HEADS.release(abort);
        }
    }

    /**
     * The bound on writing a request and reading its response head, whatever the server does
     * meanwhile (reads nothing of a large body, sends interim answers or a head byte by byte): the
     * socket's read timeout bounds each read only. Past it the exchange is aborted as timed out.
     */
    static final Deadlines<Abort> HEADS = new Deadlines<>(a -> a.headDeadlineNanos, (a, d) -> a.headDeadlineNanos = d, a -> {
        a.headTimedOut = true;
        a.abort();
    });

    /**
     * Closes the exchange's connection after a failure, if it is still this exchange's: an abort
     * closed it already, or the exchange released it (to the pool, where another call may hold it
     * now) before a late close, e.g. a drain's watchdog, arrived.
     */
    private void dropAfterFailure(Conn conn, Abort abort) {
        if (abort.detach(conn)) {
            conn.close();
        }
    }

    private static final byte[] USER_AGENT = "User-Agent: Gatehouse\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final int INLINE_BODY = 16 * 1024;

    /**
     * The request's head, and its body too when small (one write): the request line, the headers
     * (each checked: a name this client does not manage, no control characters), a User-Agent
     * unless given, the Content-Length.
     */
    private static byte[] request(Target target, List<String> headers, byte[] body) {
        boolean agent = false;
        int size = target.start.length + CONTENT_LENGTH.length + 24;
        for (int i = 0; i < headers.size(); i += 2) {
            String name = headers.get(i);
            checkName(name);
            agent |= name.equalsIgnoreCase("user-agent");
            size += name.length() + headers.get(i + 1).length() + 4;
        }
        size += agent ? 0 : USER_AGENT.length;
        // a GET or DELETE without content sends no Content-Length (RFC 9110 section 8.6)
        boolean length = target.post || body.length > 0;
        boolean inline = body.length <= INLINE_BODY;
        byte[] out = new byte[size + (inline ? body.length : 0)];
        int n = put(out, 0, target.start);
        for (int i = 0; i < headers.size(); i += 2) {
            String name = headers.get(i);
            String value = headers.get(i + 1);
            n = latin1(out, n, name);
            out[n++] = ':';
            out[n++] = ' ';
            for (int j = 0; j < value.length(); j++) {
                char c = value.charAt(j);
                if ((c < ' ' && c != '\t') || c == 0x7f || c > 0xff) {
                    throw new IllegalArgumentException("invalid value for header '" + name + "'");
                }
                out[n++] = (byte) c;
            }
            out[n++] = '\r';
            out[n++] = '\n';
        }
        if (!agent) {
            n = put(out, n, USER_AGENT);
        }
        if (length) {
            n = put(out, n, CONTENT_LENGTH);
            n = latin1(out, n, Integer.toString(body.length));
            out[n++] = '\r';
            out[n++] = '\n';
        }
        out[n++] = '\r';
        out[n++] = '\n';
        if (inline) {
            System.arraycopy(body, 0, out, n, body.length);
            n += body.length;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    private static int latin1(byte[] out, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            out[at++] = (byte) s.charAt(i);
        }
        return at;
    }

    /** A header name this client may send: a token it does not manage itself. */
    private static void checkName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == ':') {
                throw new IllegalArgumentException("invalid header name '" + name + "'");
            }
        }
        for (String managed : MANAGED) {
            if (managed.equalsIgnoreCase(name)) {
                throw new IllegalArgumentException("header '" + name + "' cannot be set on an upstream request");
            }
        }
    }

    // --- connections

    /** Where a kept connection goes. */
    private record Route(boolean tls, String host, int port, String authority) {
        static Route of(URI uri) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean tls = switch (scheme) {
                case "https" -> true;
                case "http" -> false;
                default -> throw new IllegalArgumentException("not an http(s) URL");
            };
            String host = uri.getHost();
            if (host == null) {
                throw new IllegalArgumentException("URL has no host");
            }
            int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
            String authority = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
            return new Route(tls, host.toLowerCase(Locale.ROOT), port, authority);
        }

        String dialHost() {
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }

        boolean ipLiteral() {
            if (host.startsWith("[")) {
                return true;
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (c != '.' && (c < '0' || c > '9')) {
                    return false;
                }
            }
            return true;
        }
    }

    private Conn open(Route route, Abort abort) throws IOException {
        SocketChannel ch = SocketChannel.open();
        Conn conn = new Conn(route, ch);
        if (!abort.attach(conn)) {
            conn.close();
            throw new IOException("cancelled");
        }
        try {
            Socket plain = ch.socket();
            plain.setTcpNoDelay(true);
            try {
                plain.connect(new InetSocketAddress(route.dialHost(), route.port()), connectTimeoutMs);
            } catch (SocketTimeoutException e) {
                throw new HttpConnectTimeoutException("connection timed out");
            }
            connections.incrementAndGet();
            Socket s = plain;
            if (route.tls()) {
                SSLSocket ssl = (SSLSocket) tlsFactory().createSocket(plain, route.dialHost(), route.port(), true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
                if (!route.ipLiteral()) {
                    p.setServerNames(List.of(new SNIHostName(route.host())));
                }
                ssl.setSSLParameters(p);
                ssl.setSoTimeout(connectTimeoutMs);
                ssl.startHandshake();
                s = ssl;
            }
            conn.ready(s);
            return conn;
        } catch (IOException | RuntimeException e) {
            dropAfterFailure(conn, abort);
            throw e;
        } finally {
            abort.detach(conn); // attached again by the exchange
        }
    }

    private SSLSocketFactory tlsFactory() throws IOException {
        if (tls != null) {
            return tls;
        }
        try {
            return SSLContext.getDefault().getSocketFactory();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS available", e);
        }
    }

    /** A kept connection to {@code route} that is still open, or null. */
    private Conn take(Route route) {
        ArrayDeque<Conn> q = idle.get(route);
        if (q == null) {
            return null;
        }
        long now = System.nanoTime();
        while (true) {
            Conn c;
            synchronized (q) {
                c = q.pollLast();
            }
            if (c == null) {
                return null;
            }
            if (now - c.keptSince < c.keepNanos && c.stillOpen()) {
                return c;
            }
            c.close();
        }
    }

    private void give(Conn c, long keepNanos) {
        c.keptSince = System.nanoTime();
        c.keepNanos = Math.min(keepNanos, idleLimitNanos);
        if (c.keepNanos <= 0 || closed) {
            c.close();
            return;
        }
        ArrayDeque<Conn> q = idle.computeIfAbsent(c.route, r -> new ArrayDeque<>());
        synchronized (q) {
            if (q.size() < PER_ROUTE) {
                q.addLast(c);
                return;
            }
        }
        c.close();
    }

    /** Closes the kept connections whose time is up (the oldest are first in each queue). */
    private void sweep() {
        long now = System.nanoTime();
        for (ArrayDeque<Conn> q : idle.values()) {
            List<Conn> expired = null;
            synchronized (q) {
                while (!q.isEmpty() && now - q.peekFirst().keptSince >= q.peekFirst().keepNanos) {
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expired.add(q.pollFirst());
                }
            }
            if (expired != null) {
                expired.forEach(Conn::close);
            }
        }
    }

    /** One connection and the bytes read from it ahead of the caller. */
    private static final class Conn {
        final Route route;
        final SocketChannel channel;
        Socket socket;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[16 * 1024];
        int pos;
        int len;
        long keptSince;
        long keepNanos;
        private final ByteBuffer peek = ByteBuffer.allocate(1);

        Conn(Route route, SocketChannel channel) {
            this.route = route;
            this.channel = channel;
        }

        void ready(Socket s) throws IOException {
            socket = s;
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        /** Reads more into the buffer; false at the end of the stream. */
        boolean fill() throws IOException {
            if (pos == len) {
                pos = 0;
                len = 0;
            } else if (len == buf.length) {
                System.arraycopy(buf, pos, buf, 0, len - pos);
                len -= pos;
                pos = 0;
            }
            int n = in.read(buf, len, buf.length - len);
            if (n <= 0) {
                return false;
            }
            len += n;
            return true;
        }

        /** One line of a head, without its CRLF; null when the stream ended before any byte of it. */
        String line() throws IOException {
            int scanned = pos;
            while (true) {
                for (int i = scanned; i < len; i++) {
                    if (buf[i] == '\n') {
                        int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                        String s = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                        pos = i + 1;
                        return s;
                    }
                }
                if (len - pos > MAX_LINE_BYTES) {
                    throw new IOException("a line of the answer's head is longer than " + MAX_LINE_BYTES + " bytes");
                }
                int before = len - pos;
                if (!fill()) {
                    if (before == 0) {
                        return null;
                    }
                    throw new IOException("the answer ended within a line");
                }
                scanned = pos + before;
            }
        }

        /**
         * Whether the idle connection can carry a request: a non-blocking read finds neither the
         * end of the stream (the server closed it) nor stray bytes (then it is out of step).
         */
        boolean stillOpen() {
            if (pos != len || !channel.isOpen()) {
                return false;
            }
            try {
                channel.configureBlocking(false);
                int n;
                try {
                    n = channel.read(peek);
                } finally {
                    channel.configureBlocking(true);
                }
                return n == 0;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // --- responses

    private Response readHead(Conn conn, Abort abort) throws IOException {
        int interim = 0;
        while (true) {
            String status = conn.line();
            if (status == null) {
                throw new IOException("the server closed the connection without answering");
            }
            if (!(status.startsWith("HTTP/1.1 ") || status.startsWith("HTTP/1.0 ")) || status.length() < 12
                    || (status.length() > 12 && status.charAt(12) != ' ')) {
                throw new IOException("the server did not answer HTTP/1.1");
            }
            int code;
            try {
                code = Integer.parseInt(status, 9, 12, 10);
            } catch (NumberFormatException e) {
                throw new IOException("malformed status line");
            }
            boolean http10 = status.charAt(7) == '0';
            List<String> headers = new ArrayList<>(16);
            int headBytes = status.length();
            while (true) {
                String line = conn.line();
                if (line == null) {
                    throw new IOException("the answer ended within its head");
                }
                if (line.isEmpty()) {
                    break;
                }
                headBytes += line.length() + 2;
                if (headBytes > MAX_HEAD_BYTES) {
                    throw new IOException("the answer's head is longer than " + MAX_HEAD_BYTES + " bytes");
                }
                headers.add(fieldName(line));
                headers.add(line.substring(headers.getLast().length() + 1).strip());
            }
            if (code >= 100 && code < 200) {
                if (++interim > MAX_INTERIM) {
                    throw new IOException("the server sent more than " + MAX_INTERIM + " interim (1xx) answers");
                }
                continue; // an interim answer (103 Early Hints, an unasked 100): the real one follows
            }
            Response r = new Response(code, headers, null);
            return new Response(code, headers, body(conn, abort, r, http10));
        }
    }

    /**
     * The name of a header line: a token followed directly by ':' (RFC 9112 section 5). A line
     * folded onto the one before, whitespace before the colon or a line without one is refused:
     * servers and intermediaries that read such a head differently could frame the answer
     * differently from this client, on a connection that is then kept for other calls.
     */
    static String fieldName(String line) throws IOException {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IOException("malformed header line in the answer");
        }
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            if (c <= ' ' || c >= 0x7f || "\"(),/;<=>?@[\\]{}".indexOf(c) >= 0) {
                throw new IOException("malformed header name in the answer");
            }
        }
        return line.substring(0, colon);
    }

    /**
     * How the body is framed (RFC 9112 section 6.3), strictly: a Transfer-Encoding whose last coding
     * is exactly {@code chunked} is read as chunks; any other Transfer-Encoding is read to the end of
     * the connection; Content-Length values must all be the same run of digits. Anything else is an
     * error and the connection is closed; a connection is kept only for framing without doubt.
     */
    private Body body(Conn conn, Abort abort, Response head, boolean http10) throws IOException {
        String connection = head.header("Connection");
        boolean keep = !http10 && (connection == null || !connection.toLowerCase(Locale.ROOT).contains("close"));
        long keepNanos = keep ? keepAliveNanos(head.header("Keep-Alive")) : 0;
        List<String> te = head.all("Transfer-Encoding");
        List<String> cl = head.all("Content-Length");
        if (head.status == 204 || head.status == 304) {
            return new Body(this, conn, abort, Body.LENGTH, 0, keepNanos);
        }
        if (!te.isEmpty()) {
            String last = null;
            for (String v : te) {
                for (String coding : v.split(",", -1)) {
                    String c = coding.strip();
                    if (c.isEmpty()) {
                        throw new IOException("malformed Transfer-Encoding in the answer");
                    }
                    last = c;
                }
            }
            if (http10 || !"chunked".equalsIgnoreCase(last)) {
                return new Body(this, conn, abort, Body.TO_END, 0, 0);
            }
            // With a Content-Length too, the chunks count; such a connection is not kept.
            return new Body(this, conn, abort, Body.CHUNKED, 0, cl.isEmpty() ? keepNanos : 0);
        }
        if (!cl.isEmpty()) {
            String value = null;
            for (String v : cl) {
                for (String part : v.split(",", -1)) {
                    String p = part.strip();
                    if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                            || (value != null && !value.equals(p))) {
                        throw new IOException("malformed Content-Length in the answer");
                    }
                    value = p;
                }
            }
            return new Body(this, conn, abort, Body.LENGTH, Long.parseLong(value), keepNanos);
        }
        return new Body(this, conn, abort, Body.TO_END, 0, 0);
    }

    /** How long the server keeps an idle connection by its {@code Keep-Alive: timeout=N}, less a second; else the idle limit. */
    static long keepAliveNanos(String keepAlive) {
        if (keepAlive != null) {
            for (String part : keepAlive.split(",")) {
                String p = part.trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("timeout=")) {
                    try {
                        long s = Long.parseLong(p.substring("timeout=".length()).trim());
                        return TimeUnit.SECONDS.toNanos(s - 1);
                    } catch (NumberFormatException e) {
                        return Long.MAX_VALUE;
                    }
                }
            }
        }
        return Long.MAX_VALUE;
    }

    /** Releases a connection whose body was read to its end: kept when it may be, else closed. */
    private void finished(Conn conn, Abort abort, long keepNanos) {
        if (!abort.detach(conn)) {
            return; // an abort closed it
        }
        if (keepNanos > 0 && conn.pos == conn.len) {
            give(conn, keepNanos);
        } else {
            conn.close();
        }
    }

    /**
     * A response body as the caller reads it. At its declared end the connection is released (kept
     * or closed); closing it earlier closes the connection.
     */
    static final class Body extends InputStream {
        static final int LENGTH = 0;
        static final int CHUNKED = 1;
        static final int TO_END = 2;

        private final MessageClient client;
        private final Conn conn;
        private final Abort abort;
        private final int kind;
        private final long keepNanos;
        /** LENGTH: bytes left; CHUNKED: bytes left in the current chunk. */
        private long left;
        private boolean firstChunk = true;
        private volatile boolean done;

        private Body(MessageClient client, Conn conn, Abort abort, int kind, long length, long keepNanos) {
            this.client = client;
            this.conn = conn;
            this.abort = abort;
            this.kind = kind;
            this.left = length;
            this.keepNanos = keepNanos;
            if (kind == LENGTH && length == 0) {
                end();
            }
        }

        /** The bytes still to come when the answer declared its length (Content-Length); -1 otherwise. */
        long declaredLeft() {
            return kind == LENGTH ? (done ? 0 : left) : -1;
        }

        private void end() {
            done = true;
            client.finished(conn, abort, kind == TO_END ? 0 : keepNanos);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int n) throws IOException {
            if (done) {
                return -1;
            }
            if (n == 0) {
                return 0;
            }
            try {
                return switch (kind) {
                    case LENGTH -> readCounted(b, off, n);
                    case CHUNKED -> {
                        if (left == 0 && !nextChunk()) {
                            end();
                            yield -1;
                        }
                        yield readCounted(b, off, n);
                    }
                    default -> readToEnd(b, off, n);
                };
            } catch (IOException | RuntimeException e) {
                fail();
                throw e;
            }
        }

        private int readCounted(byte[] b, int off, int n) throws IOException {
            int want = (int) Math.min(n, left);
            int got;
            if (conn.pos < conn.len) {
                got = Math.min(want, conn.len - conn.pos);
                System.arraycopy(conn.buf, conn.pos, b, off, got);
                conn.pos += got;
            } else {
                got = conn.in.read(b, off, want);
                if (got <= 0) {
                    throw new IOException("the answer ended before its declared length");
                }
            }
            left -= got;
            if (left == 0 && kind == LENGTH) {
                end();
            }
            return got;
        }

        private int readToEnd(byte[] b, int off, int n) throws IOException {
            if (conn.pos < conn.len) {
                int got = Math.min(n, conn.len - conn.pos);
                System.arraycopy(conn.buf, conn.pos, b, off, got);
                conn.pos += got;
                return got;
            }
            int got = conn.in.read(b, off, n);
            if (got <= 0) {
                end();
                return -1;
            }
            return got;
        }

        /** Reads the next chunk's size line; false after the last chunk and its trailer. */
        private boolean nextChunk() throws IOException {
            if (!firstChunk) {
                String crlf = conn.line();
                if (crlf == null || !crlf.isEmpty()) {
                    throw new IOException("malformed chunked body");
                }
            }
            firstChunk = false;
            String size = conn.line();
            if (size == null) {
                throw new IOException("the answer ended within its chunked body");
            }
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size");
            }
            if (n < 0) {
                throw new IOException("malformed chunk size");
            }
            if (n == 0) {
                String trailer;
                int bytes = 0;
                do {
                    trailer = conn.line();
                    if (trailer == null) {
                        throw new IOException("the answer ended within its trailer");
                    }
                    bytes += trailer.length();
                    if (bytes > MAX_HEAD_BYTES) {
                        throw new IOException("the answer's trailer is too long");
                    }
                } while (!trailer.isEmpty());
                return false;
            }
            left = n;
            return true;
        }

        /**
         * Whether the body has ended with what was read so far, without waiting: true when nothing
         * of it is left (then the connection is released), false when more may follow. Pulls what
         * the connection holds already (plain connections) and checks for the last chunk.
         */
        boolean endsWithoutWaiting() {
            if (done) {
                return true;
            }
            if (kind == TO_END || left > 0 && kind == LENGTH) {
                return false;
            }
            if (kind == CHUNKED && left == 0) {
                try {
                    pullAvailable();
                    // CRLF after the last data chunk, "0", CRLF, CRLF (no trailer fields)
                    byte[] last = firstChunk ? LAST_CHUNK_FIRST : LAST_CHUNK;
                    if (conn.len - conn.pos == last.length
                            && java.util.Arrays.equals(conn.buf, conn.pos, conn.len, last, 0, last.length)) {
                        conn.pos = conn.len;
                        end();
                        return true;
                    }
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            }
            return false;
        }

        private static final byte[] LAST_CHUNK = "\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        private static final byte[] LAST_CHUNK_FIRST = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

        /** Moves into the buffer what the connection has received already, without blocking (plain connections only). */
        private void pullAvailable() throws IOException {
            if (conn.route.tls() || conn.len == conn.buf.length) {
                return;
            }
            conn.channel.configureBlocking(false);
            try {
                ByteBuffer into = ByteBuffer.wrap(conn.buf, conn.len, conn.buf.length - conn.len);
                int n = conn.channel.read(into);
                if (n > 0) {
                    conn.len += n;
                }
            } finally {
                conn.channel.configureBlocking(true);
            }
        }

        private void fail() {
            if (!done) {
                done = true;
                client.dropAfterFailure(conn, abort);
            }
        }

        /** Closing before the end closes the connection (what is left of the body is never read). */
        @Override
        public void close() {
            fail();
        }
    }
}
