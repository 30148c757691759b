package gatehouse.platform;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * Tomcat refuses request headers larger than {@code server.max-http-request-header-size}, and
 * requests it cannot parse, before any filter or servlet runs; its own answer is a bare HTML
 * "400 Bad Request". This error valve answers oversized headers with 431 and a body that says which
 * limit was exceeded and where it is set, and other unreadable requests with a 400 that says so: a
 * JSON-RPC error on the MCP endpoint, problem details elsewhere. Every other error is rendered as
 * Tomcat would, without server information or stack traces.
 */
public class HeaderLimitValve extends ErrorReportValve {
    private final DataSize limit;

    HeaderLimitValve(DataSize limit) {
        this.limit = limit;
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable t) {
        // Only a 400 nobody wrote a body for (what Tomcat's parser refused); an application's own 400 keeps its answer.
        if (response.getStatus() != 400 || response.isCommitted() || response.getContentWritten() > 0) {
            super.report(request, response, t);
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean ioAllowed = new java.util.concurrent.atomic.AtomicBoolean(true);
        response.getCoyoteResponse().action(org.apache.coyote.ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get() || !response.setErrorReported()) {
            return;
        }
        boolean headers = headersTooLarge(t);
        int status = headers ? 431 : 400;
        String detail = headers
                ? "the request's headers are larger than " + limit.toKilobytes() + " KiB (setting server.max-http-request-header-size);"
                        + " send fewer or shorter headers"
                : "the request is not valid HTTP/1.1 (its request line, headers or framing could not be read)";
        // The request line was read, the headers may not have been: the URI is known only to Tomcat's own request.
        String uri = request.getCoyoteRequest().requestURI().toString();
        String type;
        Map<String, Object> body = new LinkedHashMap<>();
        if (uri != null && uri.startsWith("/gateway/")) {
            type = "application/json";
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", -32600);
            error.put("message", (headers ? "Request headers too large: " : "Invalid request: ") + detail);
            body.put("jsonrpc", "2.0");
            body.put("id", Json.MAPPER.nullNode());
            body.put("error", error);
        } else {
            type = "application/problem+json";
            body.put("type", "about:blank");
            body.put("title", headers ? "Request Header Fields Too Large" : "Bad Request");
            body.put("status", status);
            body.put("detail", detail);
        }
        try {
            response.setStatus(status);
            response.setContentType(type);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer w = response.getReporter();
            if (w != null) {
                w.write(Json.string(body));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone; nothing more to say
        }
    }

    /** Tomcat's parser reports an overflowing header buffer as an IllegalArgumentException saying so. */
    static boolean headersTooLarge(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && m.contains("header") && m.contains("too large")) {
                return true;
            }
        }
        return false;
    }

    /** Puts the valve on Tomcat's host in place of the default error valve (registered last, so it wins over Boot's). */
    @Component
    @Order(Ordered.LOWEST_PRECEDENCE)
    static class Installer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {
        private final DataSize limit;

        Installer(@Value("${server.max-http-request-header-size:8KB}") DataSize limit) {
            this.limit = limit;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof org.apache.catalina.core.StandardHost host) {
                    for (org.apache.catalina.Valve v : host.getPipeline().getValves()) {
                        if (v instanceof ErrorReportValve) {
                            host.getPipeline().removeValve(v);
                        }
                    }
                    host.setErrorReportValveClass(HeaderLimitValve.class.getName());
                    host.getPipeline().addValve(new HeaderLimitValve(limit));
                }
            });
        }
    }
}
