package gatehouse.console;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.servlet.support.RequestContextUtils;

import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;

/**
 * What every console page has: the signed-in person ({@code viewer}) and which navigation entries
 * they may use ({@code nav}); and how refusals look. A refused or invalid form goes back to the page
 * it came from with the reason on top; a page the person may not see, or that does not exist, is
 * the same "not found" page either way.
 */
@ControllerAdvice(basePackageClasses = ConsolePages.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsolePages {
    private static final Logger log = LoggerFactory.getLogger(ConsolePages.class);
    private final ConsoleAccess access;

    ConsolePages(ConsoleAccess access) {
        this.access = access;
    }

    /** The navigation entries the person may use; a page area another controller adds brings its flag here. */
    record Nav(boolean gateways, boolean servers, boolean apps, boolean alerts, boolean identities, boolean people, boolean settings) {
    }

    @ModelAttribute("viewer")
    ConsoleAccess.Viewer viewer(Authentication auth) {
        return auth == null || !auth.isAuthenticated() || auth instanceof org.springframework.security.authentication.AnonymousAuthenticationToken
                ? null : access.viewer(auth);
    }

    @ModelAttribute("nav")
    Nav nav(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer) {
        if (viewer == null) {
            return new Nav(false, false, false, false, false, false, false);
        }
        return new Nav(access.maySomewhere(viewer, Permission.GATEWAY_READ), access.maySomewhere(viewer, Permission.GATEWAY_READ),
                access.mayGlobally(viewer, Permission.CONNECTION_MANAGE), access.mayGlobally(viewer, Permission.ALERT_MANAGE),
                access.maySomewhere(viewer, Permission.CONNECTION_MANAGE),
                access.mayGlobally(viewer, Permission.USER_MANAGE) || access.mayGlobally(viewer, Permission.TEAM_MANAGE),
                access.mayGlobally(viewer, Permission.ADMIN) || access.mayGlobally(viewer, Permission.ALERT_MANAGE));
    }

    @ExceptionHandler(ProblemException.class)
    String problem(ProblemException e, HttpServletRequest req, HttpServletResponse resp, Model model) {
        if (!"GET".equals(req.getMethod()) && e.status() != 404) {
            // A form the person may not submit, or with bad input: back to its page, the reason on top.
            RequestContextUtils.getOutputFlashMap(req).put("error", e.getMessage());
            return "redirect:" + backTo(req);
        }
        resp.setStatus(e.status());
        // An exception handler's model does not get the @ModelAttribute values: the layout needs them.
        ConsoleAccess.Viewer viewer = viewer(org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication());
        model.addAttribute("viewer", viewer);
        model.addAttribute("nav", nav(viewer));
        model.addAttribute("status", e.status());
        model.addAttribute("title", e.status() == 404 ? "Not found" : e.title());
        model.addAttribute("message", e.status() == 404 ? "This page does not exist, or you may not see it." : e.getMessage());
        return "console/error";
    }

    @ExceptionHandler(IllegalArgumentException.class)
    String invalid(IllegalArgumentException e, HttpServletRequest req, HttpServletResponse resp, Model model) {
        log.debug("console: invalid input", e);
        return problem(ProblemException.invalid(null, e.getMessage() == null ? "invalid input" : e.getMessage()), req, resp, model);
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class})
    String badParameter(Exception e, HttpServletRequest req, HttpServletResponse resp, Model model) {
        String name = e instanceof MissingServletRequestParameterException m ? m.getParameterName()
                : ((MethodArgumentTypeMismatchException) e).getName();
        return problem(ProblemException.invalid(name, "'" + name + "' is missing or not valid"), req, resp, model);
    }

    /** The console page a form was posted from (its Referer, if it is one of ours), else the start page. */
    static String backTo(HttpServletRequest req) {
        String referer = req.getHeader("Referer");
        if (referer != null) {
            try {
                URI u = URI.create(referer);
                String path = u.getRawPath();
                if (path != null && path.startsWith("/console") && !path.contains("//")) {
                    return path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
                }
            } catch (IllegalArgumentException e) {
                // not a URI: the start page
            }
        }
        return "/console";
    }
}
