package gatehouse.gateway.transport;

import java.io.IOException;

import org.apache.catalina.connector.ClientAbortException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardWrapper;
import org.apache.catalina.valves.ValveBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import jakarta.servlet.Filter;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Serves the MCP endpoint from the MCP servlet's own Tomcat pipeline, before the generic filter
 * chain. Of the filters every request meets, the endpoint needs only two, and it gets exactly those,
 * in the same order: the edge filter (Host allow-list, forwarded headers from trusted proxies) and
 * Spring Security's firewall (a request wrapper that refuses unprintable header and parameter
 * names and values, and a response wrapper that refuses CR/LF in header values; the endpoint is
 * outside every security chain, so the firewall is all Spring Security did for it). The others
 * do nothing for it (character encoding, form bodies of PUT/PATCH, request-context holders,
 * WebSocket upgrades, an HTTP observation the endpoint opted out of) yet cost about a tenth of a
 * small call's request thread, mostly in matching URL patterns and building a chain per request.
 *
 * <p>Only a request whose raw URI is exactly the endpoint's path takes this way: anything that
 * Tomcat's mapper merely normalized to it (dot segments, escapes, path parameters, doubled slashes)
 * goes through the full chain as before, where the firewall refuses it. Errors are handled as
 * Tomcat's wrapper valve handles them (status 500 and the exception for the error page).
 */
final class McpValve extends ValveBase {
    private static final Logger log = LoggerFactory.getLogger(McpValve.class);

    private final String path;
    private final Filter edge;
    private final HttpFirewall firewall;
    private final RequestRejectedHandler rejected;

    McpValve(String path, Filter edge, HttpFirewall firewall, RequestRejectedHandler rejected) {
        super(true);
        this.path = path;
        this.edge = edge;
        this.firewall = firewall;
        this.rejected = rejected;
    }

    /** Methods the endpoint serves; anything else (OPTIONS, HEAD, ...) takes the full chain. */
    static boolean served(String method) {
        return "POST".equals(method) || "GET".equals(method) || "DELETE".equals(method);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (!path.equals(request.getRequestURI()) || !served(request.getMethod())) {
            getNext().invoke(request, response);
            return;
        }
        HttpServletRequest req = request.getRequest();
        HttpServletResponse resp = response.getResponse();
        // Allocated from the wrapper as Tomcat's wrapper valve does: a graceful shutdown waits while
        // a servlet is allocated, so it waits for the endpoint's requests in flight too.
        StandardWrapper wrapper = (StandardWrapper) getContainer();
        Servlet servlet = null;
        try {
            servlet = wrapper.allocate();
            Servlet target = servlet;
            try {
                edge.doFilter(req, resp, (rq, rs) -> target.service(
                        firewall.getFirewalledRequest((HttpServletRequest) rq), firewall.getFirewalledResponse((HttpServletResponse) rs)));
            } catch (RuntimeException | IOException | ServletException e) {
                RequestRejectedException refused = rejection(e);
                if (refused == null) {
                    throw e;
                }
                rejected.handle(req, resp, refused);
            }
        } catch (ClientAbortException e) {
            failed(request, response, e);
        } catch (UnavailableException e) { // as Tomcat's wrapper valve: 503 while the servlet is unavailable
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        } catch (Throwable e) { // as Tomcat's wrapper valve: logged, then 500 through the error page
            log.error("the MCP endpoint failed on {} {}", request.getMethod(), path, e);
            failed(request, response, e);
        } finally {
            if (servlet != null) {
                wrapper.deallocate(servlet);
            }
        }
    }

    private static RequestRejectedException rejection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestRejectedException r) {
                return r;
            }
        }
        return null;
    }

    private static void failed(Request request, Response response, Throwable e) {
        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, e);
        response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        response.setError();
    }
}
