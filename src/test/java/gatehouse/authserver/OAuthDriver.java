package gatehouse.authserver;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

/**
 * A scripted OAuth client plus the person at the browser, for tests: registers, builds authorization
 * URLs with PKCE, follows redirects with its own cookie jar, fills the login and wizard forms (with
 * their CSRF fields), and talks to the token and revocation endpoints. Deliberately written from the
 * HTML and the RFCs, not from Gatehouse's classes.
 */
public final class OAuthDriver {
    private final String base;
    private final HttpClient http;

    public OAuthDriver(String base) {
        this.base = base;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public record Page(int status, String location, String body) {
        public boolean hasForm(String id) {
            return body != null && body.contains("id=\"" + id + "\"");
        }
    }

    public record Outcome(String redirect, List<Page> pages) {
        public String param(String name) {
            if (redirect == null) {
                return null;
            }
            String q = URI.create(redirect).getRawQuery();
            for (String kv : q == null ? new String[0] : q.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0 && kv.substring(0, eq).equals(name)) {
                    return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        public Page last() {
            return pages.getLast();
        }
    }

    // --- registration and PKCE

    public JsonNode register(List<String> redirectUris) {
        return register(Map.of("client_name", "test client <b>", "redirect_uris", redirectUris,
                "grant_types", List.of("authorization_code", "refresh_token"), "response_types", List.of("code"),
                "token_endpoint_auth_method", "none"));
    }

    public JsonNode register(Map<String, Object> metadata) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/oauth2/register"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.string(metadata))).build());
        JsonNode body = r.body().isEmpty() ? Json.object() : Json.tree(r.body());
        ((tools.jackson.databind.node.ObjectNode) body).put("_status", r.statusCode());
        return body;
    }

    public static String verifier() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String authorizeUrl(String clientId, String redirect, String verifier, String resource, String state) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("response_type", "code");
        p.put("client_id", clientId);
        p.put("redirect_uri", redirect);
        p.put("code_challenge", challenge(verifier));
        p.put("code_challenge_method", "S256");
        if (state != null) {
            p.put("state", state);
        }
        if (resource != null) {
            p.put("resource", resource);
        }
        return base + "/oauth2/authorize?" + form(p);
    }

    // --- the person

    /**
     * Follows the URL and completes every form: login, gateway choice ({@code gateway} id, or the
     * first offered), token forms ({@code tokens} by server id), then the confirmation ({@code approve}
     * or deny). Stops at the first redirect away from Gatehouse, or at a page it cannot complete.
     */
    public Outcome walk(String url, String username, String password, String gateway, Map<String, String> tokens, boolean approve) {
        List<Page> pages = new ArrayList<>();
        String method = "GET";
        Map<String, List<String>> fields = null;
        boolean loggedIn = false;
        for (int hop = 0; hop < 30; hop++) {
            Page page = request(method, url, fields);
            pages.add(page);
            if (page.status() >= 300 && page.status() < 400) {
                String next = URI.create(url).resolve(page.location()).toString();
                if (!next.startsWith(base)) {
                    return new Outcome(next, pages);
                }
                url = next;
                method = "GET";
                fields = null;
                continue;
            }
            if (page.status() != 200) {
                return new Outcome(null, pages);
            }
            String html = page.body();
            String formId;
            Map<String, List<String>> values;
            if (page.hasForm("login")) {
                if (loggedIn) {
                    return new Outcome(null, pages);
                }
                loggedIn = true;
                formId = "login";
                values = inputs(form(html, formId));
                values.put("username", List.of(username));
                values.put("password", List.of(password));
            } else if (page.hasForm("choose")) {
                formId = "choose";
                values = inputs(form(html, formId));
                values.put("gatewayId", List.of(gateway != null ? gateway : firstRadio(form(html, formId))));
            } else if (page.hasForm("identity")) {
                formId = "identity";
                values = inputs(form(html, formId));
                String token = tokens.get(values.get("serverId").getFirst());
                if (token == null) {
                    return new Outcome(null, pages);
                }
                values.put("token", List.of(token));
            } else if (page.hasForm("approve")) {
                if (approve) {
                    formId = "approve";
                    values = inputs(form(html, formId));
                } else {
                    int at = html.indexOf("value=\"deny\"");
                    String f = html.substring(html.lastIndexOf("<form", at), html.indexOf("</form>", at));
                    url = URI.create(url).resolve(attr(f.substring(0, f.indexOf('>')), "action")).toString();
                    method = "POST";
                    fields = inputs(f);
                    continue;
                }
            } else {
                return new Outcome(null, pages);
            }
            String f = form(html, formId);
            url = URI.create(url).resolve(attr(f.substring(0, f.indexOf('>')), "action")).toString();
            method = "POST";
            fields = values;
        }
        return new Outcome(null, pages);
    }

    public Page get(String url) {
        return request("GET", url, null);
    }

    /** Signs in on the login page directly; answers the page after the redirect. */
    public Page login(String username, String password) {
        Page login = get(base + "/login");
        Map<String, List<String>> values = inputs(form(login.body(), "login"));
        values.put("username", List.of(username));
        values.put("password", List.of(password));
        Page done = submit(base + "/login", login.body(), "login", values);
        return done.location() == null ? done : get(URI.create(base + "/login").resolve(done.location()).toString());
    }

    /** Posts the form with this id on a page (fetched from {@code pageUrl}) as it is, hidden fields included. */
    public Page submit(String pageUrl, String html, String formId) {
        return submit(pageUrl, html, formId, inputs(form(html, formId)));
    }

    /** Posts these fields to an action of the caller's choosing: what a hand-made form would send. */
    public Page post(String url, Map<String, List<String>> fields) {
        return request("POST", url, fields);
    }

    /** The hidden fields of the form with this id (its CSRF token, for instance). */
    public static Map<String, List<String>> fields(String html, String formId) {
        return inputs(form(html, formId));
    }

    private Page submit(String pageUrl, String html, String formId, Map<String, List<String>> values) {
        String f = form(html, formId);
        return request("POST", URI.create(pageUrl).resolve(attr(f.substring(0, f.indexOf('>')), "action")).toString(), values);
    }

    private Page request(String method, String url, Map<String, List<String>> fields) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html");
        if ("POST".equals(method)) {
            b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(formMulti(fields)));
        }
        HttpResponse<String> r = send(b.build());
        return new Page(r.statusCode(), r.headers().firstValue("Location").orElse(null), r.body());
    }

    // --- token endpoint

    public record Tokens(int status, JsonNode body) {
        public String access() {
            return body.path("access_token").asString(null);
        }

        public String refresh() {
            return body.path("refresh_token").asString(null);
        }

        public JsonNode claims() {
            return Json.tree(new String(Base64.getUrlDecoder().decode(access().split("\\.")[1]), StandardCharsets.UTF_8));
        }
    }

    public Tokens exchange(String clientId, String code, String verifier, String redirect) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("grant_type", "authorization_code");
        p.put("code", code);
        p.put("redirect_uri", redirect);
        p.put("client_id", clientId);
        p.put("code_verifier", verifier);
        return token(p);
    }

    public Tokens refresh(String clientId, String refreshToken) {
        return token(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken, "client_id", clientId));
    }

    public Tokens token(Map<String, String> params) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form(params))).build());
        return new Tokens(r.statusCode(), r.body().isEmpty() ? Json.object() : Json.tree(r.body()));
    }

    public int revoke(String clientId, String token) {
        return send(HttpRequest.newBuilder(URI.create(base + "/oauth2/revoke"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("token", token, "client_id", clientId)))).build()).statusCode();
    }

    // --- helpers

    private HttpResponse<String> send(HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String form(String html, String id) {
        int at = html.indexOf("id=\"" + id + "\"");
        int start = html.lastIndexOf("<form", at);
        return html.substring(start, html.indexOf("</form>", at));
    }

    private static Map<String, List<String>> inputs(String form) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<input\\b[^>]*>").matcher(form);
        while (m.find()) {
            String tag = m.group();
            String name = attr(tag, "name");
            String type = attr(tag, "type");
            if (name == null || "radio".equals(type)) {
                continue;
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(attr(tag, "value") == null ? "" : attr(tag, "value"));
        }
        return out;
    }

    private static String firstRadio(String form) {
        Matcher m = Pattern.compile("type=\"radio\"[^>]*value=\"([^\"]*)\"").matcher(form);
        return m.find() ? unescape(m.group(1)) : null;
    }

    public static List<String> radioValues(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("type=\"radio\"[^>]*value=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            out.add(unescape(m.group(1)));
        }
        return out;
    }

    private static String attr(String tag, String name) {
        Matcher m = Pattern.compile("\\s" + name + "=\"([^\"]*)\"").matcher(tag);
        return m.find() ? unescape(m.group(1)) : null;
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    public static String form(Map<String, String> p) {
        return p.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String formMulti(Map<String, List<String>> p) {
        return p.entrySet().stream().flatMap(e -> e.getValue().stream().map(v -> enc(e.getKey()) + "=" + enc(v)))
                .collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
