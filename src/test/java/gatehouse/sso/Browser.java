package gatehouse.sso;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A person at a browser without JavaScript, for tests: a cookie jar, redirects followed one by one
 * (across hosts: Gatehouse and the identity provider), and forms read from the HTML and submitted
 * as they are. Written from HTML, not from Gatehouse's classes.
 */
final class Browser {
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    record Page(String url, int status, String location, String body) {
        boolean hasForm(String marker) {
            return body != null && body.contains(marker);
        }
    }

    Page get(String url) {
        return send("GET", url, null);
    }

    /** Follows redirects from {@code url} until a page that is not a redirect (at most 20 hops); every hop is kept. */
    List<Page> follow(String url) {
        List<Page> pages = new java.util.ArrayList<>();
        Page p = get(url);
        pages.add(p);
        for (int i = 0; i < 20 && p.status() >= 300 && p.status() < 400; i++) {
            p = get(URI.create(p.url()).resolve(p.location()).toString());
            pages.add(p);
        }
        return pages;
    }

    List<Page> followFrom(Page redirect) {
        if (redirect.location() == null) {
            return List.of(redirect);
        }
        return follow(URI.create(redirect.url()).resolve(redirect.location()).toString());
    }

    /** Submits the first form whose HTML contains {@code marker}, with its own fields overridden by {@code values}. */
    Page submit(Page page, String marker, Map<String, String> values) {
        String html = page.body();
        int at = html.indexOf(marker);
        int start = html.lastIndexOf("<form", at);
        String form = html.substring(start, html.indexOf("</form>", start));
        String open = form.substring(0, form.indexOf('>'));
        String action = attr(open, "action");
        String method = attr(open, "method");
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<input[^>]*>").matcher(form);
        while (m.find()) {
            String name = attr(m.group(), "name");
            if (name != null && !"submit".equals(attr(m.group(), "type"))) {
                String v = attr(m.group(), "value");
                fields.put(name, v == null ? "" : v);
            }
        }
        fields.putAll(values);
        String target = URI.create(page.url()).resolve(action == null || action.isEmpty() ? page.url() : action).toString();
        if (method != null && method.equalsIgnoreCase("get")) {
            return get(target + (target.contains("?") ? "&" : "?") + encode(fields));
        }
        return send("POST", target, encode(fields));
    }

    private static String encode(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static String attr(String tag, String name) {
        Matcher m = Pattern.compile("\\s" + name + "=\"([^\"]*)\"").matcher(tag);
        return m.find() ? m.group(1).replace("&amp;", "&") : null;
    }

    static String param(String url, String name) {
        String q = URI.create(url).getRawQuery();
        for (String kv : q == null ? new String[0] : q.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) {
                return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private Page send(String method, String url, String form) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Accept", "text/html");
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Page(url, r.statusCode(), r.headers().firstValue("Location").orElse(null), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
