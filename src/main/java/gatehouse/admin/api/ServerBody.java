package gatehouse.admin.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.ServerCommand;
import gatehouse.platform.ProblemException;
import tools.jackson.databind.JsonNode;

/**
 * A server's JSON body read field by field, so that every wrong shape is answered with the shape
 * that is expected (never a Java type name), and so that definitions copied from other MCP
 * clients work: {@code command} as a string with {@code args}, {@code type} for {@code transport}
 * ({@code "http"} is Streamable HTTP), and the transport implied by {@code command} or {@code url}.
 */
final class ServerBody {
    private ServerBody() {
    }

    /** {@code update}: absent fields stay null (unchanged), and no transport is implied. */
    static CatalogService.ServerInput parse(JsonNode body, boolean update) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw ProblemException.invalid(null, "a body is required: {\"name\": …, \"transport\": \"stdio\"|\"streamable-http\"|\"sse\", …}");
        }
        if (!body.isObject()) {
            throw ProblemException.invalid(null, "the body must be a JSON object: {\"name\": …, \"transport\": …}");
        }
        String name = text(body, "name");
        String transport = text(body, "transport");
        if (transport == null && body.has("type")) {
            transport = text(body, "type");
        }
        if ("http".equals(transport) || "streamableHttp".equals(transport) || "streamable_http".equals(transport)) {
            transport = "streamable-http";
        }
        List<String> command = body.has("command") && body.get("command").isString() ? List.of(body.get("command").asString())
                : strings(body, "command");
        List<String> args = strings(body, "args");
        command = ServerCommand.of(command, args);
        String url = text(body, "url");
        if (transport == null && !update) {
            transport = command != null ? "stdio" : url != null ? "streamable-http" : null;
        }
        return new CatalogService.ServerInput(name, transport, command, map(body, "env"), url, map(body, "headers"));
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw ProblemException.invalid(field, field + " must be a string");
        }
        return v.asString();
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String expected = field.equals("command") ? ServerCommand.SHAPES : "\"args\": [\"-y\", \"some-mcp-server\"]";
        if (!v.isArray()) {
            throw ProblemException.invalid(field, field + " must be a list of strings: " + expected);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isString() && !e.isNumber()) {
                throw ProblemException.invalid(field, field + " must be a list of strings: " + expected);
            }
            out.add(e.asString());
        }
        return out;
    }

    private static Map<String, String> map(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String example = field.equals("env") ? "{\"API_KEY\": \"…\"}" : "{\"Authorization\": \"Bearer …\"}";
        if (!v.isObject()) {
            throw ProblemException.invalid(field, field + " must be an object of names to string values, e.g. " + example);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode value = e.getValue();
            if (!value.isString() && !value.isNumber() && !value.isBoolean()) {
                throw ProblemException.invalid(field, field + "." + e.getKey() + " must be a string, e.g. " + example);
            }
            out.put(e.getKey(), value.asString());
        }
        return out;
    }

    /** A field that may be absent (unchanged), null (removed) or given. */
    record Setting<T>(boolean present, T value) {
        static <T> Setting<T> absent() {
            return new Setting<>(false, null);
        }
    }

    /** {@code oauth: {clientId, clientSecret?, scopes?: [..], authorizationEndpoint?, tokenEndpoint?}}. */
    static Setting<gatehouse.identity.UpstreamClients.OAuthClient> oauth(JsonNode body) {
        if (body == null || !body.isObject() || !body.has("oauth")) {
            return Setting.absent();
        }
        JsonNode o = body.get("oauth");
        if (o.isNull()) {
            return new Setting<>(true, null);
        }
        String shape = "{\"clientId\": \"…\", \"clientSecret\"?: \"…\", \"scopes\"?: [\"…\"], \"authorizationEndpoint\"?: \"https://…\", "
                + "\"tokenEndpoint\"?: \"https://…\"}";
        if (!o.isObject()) {
            throw ProblemException.invalid("oauth", "oauth must be an object: " + shape);
        }
        for (String k : o.propertyNames()) {
            if (!java.util.Set.of("clientId", "clientSecret", "scopes", "authorizationEndpoint", "tokenEndpoint").contains(k)) {
                throw ProblemException.invalid("oauth." + k, "oauth has no field '" + k + "'; expected " + shape);
            }
        }
        List<String> scopes = strings(o, "scopes");
        return new Setting<>(true, new gatehouse.identity.UpstreamClients.OAuthClient(nested(o, "oauth", "clientId"),
                nested(o, "oauth", "clientSecret"), scopes, nested(o, "oauth", "authorizationEndpoint"), nested(o, "oauth", "tokenEndpoint")));
    }

    /** {@code credentialHeader: {name, format?}} where {@code format} contains {@code {token}}. */
    static Setting<gatehouse.identity.UpstreamClients.KeyHeader> credentialHeader(JsonNode body) {
        if (body == null || !body.isObject() || !body.has("credentialHeader")) {
            return Setting.absent();
        }
        JsonNode o = body.get("credentialHeader");
        if (o.isNull()) {
            return new Setting<>(true, null);
        }
        if (!o.isObject()) {
            throw ProblemException.invalid("credentialHeader", "credentialHeader must be an object: {\"name\": \"X-API-Key\", "
                    + "\"format\"?: \"{token}\"}");
        }
        return new Setting<>(true, new gatehouse.identity.UpstreamClients.KeyHeader(nested(o, "credentialHeader", "name"),
                nested(o, "credentialHeader", "format")));
    }

    private static String nested(JsonNode o, String parent, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw ProblemException.invalid(parent + "." + field, parent + "." + field + " must be a string");
        }
        return v.asString();
    }
}
