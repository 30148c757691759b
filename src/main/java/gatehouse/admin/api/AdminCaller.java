package gatehouse.admin.api;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who is calling the admin API, as the admin-token filter found it: an administrator's token (full
 * rights) or a person's API token (that person's role grants, nothing more).
 *
 * @param tokenName the token's name, for the audit trail (never the token)
 * @param userId    the person a user token acts as; null for an administrator's token
 */
record AdminCaller(String tokenName, String userId, String username) {
    static final String ATTRIBUTE = AdminCaller.class.getName();

    static AdminCaller administrator(String tokenName) {
        return new AdminCaller(tokenName, null, null);
    }

    static AdminCaller user(String tokenName, String userId, String username) {
        return new AdminCaller(tokenName, userId, username);
    }

    boolean isAdministratorToken() {
        return userId == null;
    }

    /** How the audit trail names the caller. */
    String actor() {
        return isAdministratorToken() ? "admin-token:" + tokenName : "user:" + username + " (token " + tokenName + ")";
    }

    String kind() {
        return isAdministratorToken() ? "admin-token" : "user-token";
    }

    static AdminCaller of(HttpServletRequest request) {
        AdminCaller c = (AdminCaller) request.getAttribute(ATTRIBUTE);
        if (c == null) {
            throw new IllegalStateException("no admin caller on this request (the admin-token filter did not run)");
        }
        return c;
    }

    /** The caller of the admin request this thread serves. */
    static AdminCaller current() {
        RequestAttributes attrs = RequestContextHolder.currentRequestAttributes();
        AdminCaller c = (AdminCaller) attrs.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        if (c == null) {
            throw new IllegalStateException("no admin caller on this request (the admin-token filter did not run)");
        }
        return c;
    }
}
