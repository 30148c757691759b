package gatehouse.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A person's browser session with the console over real HTTP, without a browser: a cookie jar, the
 * sign-in form, and forms posted with the CSRF token the page gave (or deliberately without). Redirects
 * are not followed, so tests see where the console sends a person.
 */
final class ConsoleSession {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final String base;
    private final HttpClient http;

    ConsoleSession(String base) {
        this.base = base;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }

    record Page(int status, String location, String body) {
        /** The body without the per-request CSRF values, so two answers can be compared word for word. */
        String withoutTokens() {
            return CSRF.matcher(body).replaceAll("name=\"_csrf\" value=\"…\"");
        }
    }

    Page get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** Posts a form with the CSRF token of the page at {@code from}, as a browser submitting that page would. */
    Page post(String from, String path, Map<String, String> form) {
        Matcher m = CSRF.matcher(get(from).body());
        if (!m.find()) {
            throw new AssertionError("no CSRF token on " + from);
        }
        Map<String, String> withToken = new LinkedHashMap<>(form);
        withToken.put("_csrf", m.group(1));
        return postRaw(path, withToken, from);
    }

    /** Posts a form exactly as given (no token unless {@code form} has one). */
    Page postRaw(String path, Map<String, String> form, String referer) {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (referer != null) {
            b.header("Referer", base + referer);
        }
        return send(b);
    }

    /** Signs in through the shared sign-in page; answers where the console sent the person afterwards. */
    Page signIn(String username, String password) {
        Page login = get("/login");
        Matcher m = CSRF.matcher(login.body());
        if (!m.find()) {
            throw new AssertionError("no CSRF token on the sign-in page");
        }
        return postRaw("/login", Map.of("username", username, "password", password, "_csrf", m.group(1)), "/login");
    }

    private Page send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Page(r.statusCode(), r.headers().firstValue("Location").orElse(null), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
