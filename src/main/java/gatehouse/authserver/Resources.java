package gatehouse.authserver;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import gatehouse.platform.GatehouseProperties;

/**
 * The RFC 8707 resource indicators Gatehouse answers for: Gatehouse itself (its public URL), the MCP
 * endpoint, and the MCP endpoint of one gateway ({@code …/gateway/v1/mcp?gateway=ID}). A token is
 * bound to exactly one of them; a gateway-bound token is good for that gateway only.
 */
@Component
public class Resources {
    public static final String MCP_PATH = "/gateway/v1/mcp";
    private static final Pattern GATEWAY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String base;
    private final Pattern gatewayResource;

    public Resources(GatehouseProperties props) {
        this.base = props.publicUrlNoSlash();
        this.gatewayResource = Pattern.compile(Pattern.quote(base + MCP_PATH) + "\\?gateway=(" + GATEWAY_ID.pattern() + ")");
    }

    /** A resource we issue tokens for; {@code gatewayId} is null unless it names one gateway. */
    public record Resource(String uri, String gatewayId) {
    }

    public String base() {
        return base;
    }

    public String issuer() {
        return base;
    }

    public String mcpUrl() {
        return base + MCP_PATH;
    }

    public String mcpUrl(String gatewayId) {
        return gatewayId == null ? mcpUrl() : mcpUrl() + "?gateway=" + gatewayId;
    }

    public static boolean validGatewayId(String id) {
        return id != null && GATEWAY_ID.matcher(id).matches();
    }

    /** The resource named by a {@code resource} parameter, in canonical form, when it is one of ours. */
    public Optional<Resource> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.equals(base) || value.equals(base + "/")) {
            return Optional.of(new Resource(base, null));
        }
        if (value.equals(mcpUrl()) || value.equals(mcpUrl() + "/")) {
            return Optional.of(new Resource(mcpUrl(), null));
        }
        Matcher m = gatewayResource.matcher(value);
        if (m.matches()) {
            return Optional.of(new Resource(value, m.group(1)));
        }
        return Optional.empty();
    }

    /** True when a token with this audience may be used on the given gateway. */
    public boolean audienceAllows(Collection<String> audience, String gatewayId) {
        if (audience == null) {
            return false;
        }
        for (String aud : audience) {
            Optional<Resource> r = parse(aud);
            if (r.isPresent() && (r.get().gatewayId() == null || r.get().gatewayId().equals(gatewayId))) {
                return true;
            }
        }
        return false;
    }
}
