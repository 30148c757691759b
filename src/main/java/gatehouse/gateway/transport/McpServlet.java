package gatehouse.gateway.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.web.firewall.RequestRejectedException;

import gatehouse.gateway.protocol.EventStream;
import gatehouse.platform.RequestThreads;


/**
 * The MCP endpoint as a plain servlet: no MVC machinery on the hot path. It adapts the servlet
 * request and response and hands them to the pipeline, which reads the body only once the caller
 * is authenticated: then within a size limit, a deadline, and a cap on bodies being read at once,
 * growing the buffer as bytes arrive rather than trusting the client's Content-Length.
 */
public class McpServlet extends HttpServlet {
    private final transient McpHandler pipeline;
    private final transient BodyLimits limits;

    /** How much, how long, and how many bodies at once. */
    public record BodyLimits(long maxBytes, Duration readTimeout, int maxConcurrentReads) {
        public BodyLimits {
            if (maxBytes <= 0 || readTimeout.isNegative() || readTimeout.isZero() || maxConcurrentReads <= 0) {
                throw new IllegalArgumentException("body limits must be positive");
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(McpServlet.class);
    private final transient Semaphore reading;

    public McpServlet(McpHandler pipeline, BodyLimits limits) {
        this.pipeline = pipeline;
        this.limits = limits;
        this.reading = new Semaphore(limits.maxConcurrentReads());
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
        pipeline.post(new Request(req, limits, reading), new Response(resp));
    }

    /**
     * A GET is the session's stream, open for as long as the client keeps it: on one of Tomcat's
     * few platform request threads it moves to a virtual thread of its own (an asynchronous request
     * without a timeout), so open streams never hold the threads short requests run on.
     */
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        if (!RequestThreads.onPlatformWorker()) {
            pipeline.get(new Request(req, limits, reading), new Response(resp));
            return;
        }
        AsyncContext async = req.startAsync(req, resp);
        async.setTimeout(0);
        AsyncStream ending = new AsyncStream(async);
        async.addListener(ending);
        Thread.ofVirtual().name("mcp-get-stream").start(() -> {
            try {
                pipeline.get(new Request(req, limits, reading), new Response(resp, ending));
            } catch (RuntimeException e) { // as the container would: logged; the stream ends below
                log.error("the MCP GET stream failed", e);
            } finally {
                ending.end();
            }
        });
    }

    /**
     * The end of an asynchronous GET, which two threads may reach at once: the stream's own thread
     * when it is done, and the container when a write failed (a list change sent to a client that
     * has left). Whoever comes first shuts the event stream, under its lock, so no write is under
     * way or starts once the container may recycle the request's objects for another connection,
     * and completes the request, once. Left to the container, a failed write dispatched the request
     * to its error page while the stream's thread completed it too.
     */
    static final class AsyncStream implements AsyncListener {
        private final AsyncContext async;
        private boolean ended; // guarded by this
        private Stream stream; // guarded by this

        AsyncStream(AsyncContext async) {
            this.async = async;
        }

        /** The request's event stream, once open; shut at once if the request has ended already. */
        synchronized void opened(Stream s) {
            stream = s;
            if (ended) {
                s.shut();
            }
        }

        /** Marks the request ended and shuts its stream; true for the first caller only. */
        private synchronized boolean shutOnce() {
            if (ended) {
                return false;
            }
            ended = true;
            if (stream != null) {
                stream.shut();
            }
            return true;
        }

        void end() {
            if (shutOnce()) {
                try {
                    async.complete();
                } catch (IllegalStateException e) {
                    // the container ended the request itself
                }
            }
        }

        synchronized boolean ended() {
            return ended;
        }

        @Override
        public void onError(AsyncEvent event) {
            end();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            shutOnce();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            end();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) {
        pipeline.delete(new Request(req, limits, reading), new Response(resp));
    }

    private record Request(HttpServletRequest req, BodyLimits limits, Semaphore reading) implements McpHttpRequest {
        /** Declared lengths up to this are read into an array of exactly that size. */
        private static final int SMALL_BODY = 8192;

        /**
         * The header's value. One the firewall refuses (a control or unassigned character) is the
         * client's error, answered with 400 and the header's name; its value (it may be a token) is
         * neither echoed nor logged.
         */
        @Override
        public String header(String name) {
            try {
                return req.getHeader(name);
            } catch (RequestRejectedException e) {
                throw new HttpProblem(400, -32600, "the " + name + " header holds characters that are not allowed in a header value");
            }
        }

        /**
         * The query's own parameter. A plain query (no escapes) is read directly, which spares the
         * container's parameter parsing on every message; anything escaped goes to the container,
         * so both paths decode alike.
         */
        @Override
        public String query(String name) {
            String q = req.getQueryString();
            if (q == null) {
                return null;
            }
            if (q.indexOf('%') >= 0 || q.indexOf('+') >= 0) {
                return req.getParameter(name);
            }
            return plainParameter(q, name);
        }

        @Override
        public byte[] body() {
            long maxBody = limits.maxBytes();
            if (req.getContentLengthLong() > maxBody) {
                throw new BodyTooLargeException(maxBody);
            }
            if (!reading.tryAcquire()) {
                throw new HttpProblem(503, -32603, "too many request bodies are being read right now; retry shortly",
                        java.util.Map.of("Retry-After", "1"));
            }
            long deadline = System.nanoTime() + limits.readTimeout().toNanos();
            try (InputStream in = req.getInputStream()) {
                long declared = req.getContentLengthLong();
                if (declared >= 0 && declared <= SMALL_BODY) {
                    return small(in, (int) declared, deadline);
                }
                // Grows with what arrives: the client's Content-Length sizes nothing.
                ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
                byte[] buf = new byte[8192];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > maxBody) {
                        throw new BodyTooLargeException(maxBody);
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new HttpProblem(408, -32600, "the request body did not arrive within "
                                + limits.readTimeout().toSeconds() + " s");
                    }
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new HttpProblem(400, -32700, "could not read the request body: " + e.getMessage());
            } finally {
                reading.release();
            }
        }

        /**
         * A body that declares a small length (most messages) is read straight into an array of that
         * size: no copy buffer, no growing one, no final copy. The container ends the stream at the
         * declared length; a body cut short is what arrived, as on the general path.
         */
        private byte[] small(InputStream in, int declared, long deadline) throws IOException {
            byte[] body = new byte[declared];
            int off = 0;
            int n;
            while (off < declared && (n = in.read(body, off, declared - off)) > 0) {
                off += n;
                if (System.nanoTime() - deadline > 0) {
                    throw new HttpProblem(408, -32600, "the request body did not arrive within "
                            + limits.readTimeout().toSeconds() + " s");
                }
            }
            return off == declared ? body : java.util.Arrays.copyOf(body, off);
        }
    }

    /** The first value of {@code name} in an unescaped query string ({@code ""} for a name without '='), else null. */
    static String plainParameter(String query, String name) {
        int start = 0;
        int n = query.length();
        while (start <= n) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = n;
            }
            int eq = query.indexOf('=', start);
            int nameEnd = eq < 0 || eq > end ? end : eq;
            if (nameEnd - start == name.length() && query.startsWith(name, start)) {
                return nameEnd == end ? "" : query.substring(nameEnd + 1, end);
            }
            start = end + 1;
        }
        return null;
    }

    private static final class Response implements McpHttpResponse {
        private final HttpServletResponse resp;
        /** The asynchronous GET this answers, or null for a request the container thread answers. */
        private final AsyncStream async;

        Response(HttpServletResponse resp) {
            this(resp, null);
        }

        Response(HttpServletResponse resp, AsyncStream async) {
            this.resp = resp;
            this.async = async;
        }

        @Override
        public void header(String name, String value) {
            resp.setHeader(name, value);
        }

        /**
         * No Content-Length: with one, the container would send the answer the moment the last
         * byte is written, before the exchange completes (its log record queued), and a client
         * could see its answer, and a shutdown begin, before the record exists. Without it the
         * container sends the answer when the handler returns (with a length when it fits the
         * buffer, chunked otherwise).
         */
        @Override
        public void json(int status, byte[] body) {
            resp.setStatus(status);
            resp.setContentType("application/json");
            try {
                resp.getOutputStream().write(body);
            } catch (IOException e) {
                // the client went away; nothing left to tell it
            }
        }

        @Override
        public void json(int status, long length, Body body) {
            resp.setStatus(status);
            resp.setContentType("application/json");
            resp.setContentLengthLong(length);
            try {
                body.writeTo(resp.getOutputStream());
            } catch (IOException e) {
                // the client went away; nothing left to tell it
            }
        }

        @Override
        public void json(int status, tools.jackson.databind.JsonNode body) {
            resp.setStatus(status);
            resp.setContentType("application/json");
            try {
                gatehouse.platform.Json.MAPPER.writeValue(new Unclosable(resp.getOutputStream()), body);
            } catch (IOException | tools.jackson.core.exc.JacksonIOException e) {
                // the client went away; nothing left to tell it
            }
        }

        @Override
        public void empty(int status) {
            resp.setStatus(status);
            resp.setContentLength(0);
        }

        @Override
        public boolean committed() {
            if (async != null && async.ended()) {
                return true; // the request is over: nothing more goes out, and its objects may already serve another
            }
            try {
                return resp.isCommitted();
            } catch (IllegalStateException recycled) {
                return true; // the container already ended the request (the client went away): nothing more goes out
            }
        }

        @Override
        public EventStream stream() {
            resp.setStatus(200);
            resp.setContentType("text/event-stream");
            resp.setCharacterEncoding("UTF-8");
            resp.setHeader("Cache-Control", "no-cache, no-transform");
            resp.setHeader("X-Accel-Buffering", "no");
            try {
                OutputStream out = resp.getOutputStream();
                resp.flushBuffer();
                Stream stream = new Stream(out);
                if (async != null) {
                    async.opened(stream);
                }
                return stream;
            } catch (IOException e) {
                log.debug("could not open the event stream", e);
                throw new HttpProblem(500, -32603, "could not open the event stream");
            }
        }
    }

    /**
     * The response's stream as the serializer sees it: writes go through, but neither its flush nor
     * its close reaches the container, which sends the answer when the handler returns (see
     * {@link Response#json(int, byte[])}).
     */
    private static final class Unclosable extends OutputStream {
        private final OutputStream out;

        Unclosable(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() {
            // left to the container
        }

        @Override
        public void close() {
            // left to the container
        }
    }

    /**
     * An event stream over the response's output. When the client goes away, the container may end
     * the request and recycle its objects before this stream learns of it; a write then fails with
     * the container's NullPointerException or IllegalStateException instead of an IOException.
     * Either way the client is gone: every failure of a write is reported as an IOException and the
     * stream counts as closed, so callers end the stream quietly instead of logging an internal error.
     */
    static final class Stream implements EventStream {
        private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
        private final OutputStream out;
        private volatile boolean closed;

        Stream(OutputStream out) {
            this.out = out;
        }

        /** Writes through {@code write}, turning the container's failure after the client left into an IOException. */
        private void guarded(Writes write) throws IOException {
            try {
                write.run();
            } catch (IOException e) {
                closed = true;
                throw e;
            } catch (RuntimeException e) {
                closed = true;
                throw new IOException("the client is gone (the container ended the request)", e);
            }
        }

        @FunctionalInterface
        private interface Writes {
            void run() throws IOException;
        }

        @Override
        public synchronized void event(String id, byte[] data) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            StringBuilder head = new StringBuilder("event: message\n");
            if (id != null) {
                head.append("id: ").append(id).append('\n');
            }
            guarded(() -> {
                out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                out.write(DATA);
                out.write(data); // compact JSON has no raw newlines
                out.write('\n');
                out.write('\n');
                out.flush();
            });
        }

        /** Written but not flushed: the container sends it, and ends the stream, when the handler returns. */
        @Override
        public synchronized void last(byte[] data) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            guarded(() -> {
                out.write("event: message\n".getBytes(StandardCharsets.UTF_8));
                out.write(DATA);
                out.write(data);
                out.write('\n');
                out.write('\n');
            });
            closed = true;
        }

        @Override
        public synchronized void comment(String text) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            guarded(() -> {
                out.write((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            });
        }

        /** Ends the stream without writing: the request is over and its objects may serve another. */
        synchronized void shut() {
            closed = true;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return; // ended already (after last(): the container sends the rest when the handler returns)
            }
            closed = true;
            try {
                out.flush();
            } catch (IOException | RuntimeException ignored) {
                // best effort: the client may be gone
            }
        }
    }
}
