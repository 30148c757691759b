package gatehouse.telemetry;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.platform.Reloadable;
import gatehouse.platform.SecretBox;
import tools.jackson.core.type.TypeReference;

/**
 * OpenTelemetry export set through the admin API ({@code /api/v1/telemetry}): an OTLP endpoint,
 * its protocol, headers (sealed at rest, never answered) and the service name. While set, it
 * replaces the {@code OTEL_*} settings of the environment; removed, those apply again. Every
 * replica applies a change at once on PostgreSQL (it announces the change) and otherwise at the
 * periodic refresh.
 */
@Component
public class TelemetrySettings implements Reloadable, SmartInitializingSingleton {
    static final List<String> PROTOCOLS = List.of("http/protobuf", "grpc");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$&'*+.^_`|~-]{1,100}");
    private static final String SEAL_CONTEXT = SecretBox.context("telemetry_settings", "headers", "1");

    private final JdbcTemplate jdbc;
    private final SecretBox secrets;
    private final Tracing tracing;
    private Stored applied; // guarded by this

    /** What is stored: the headers' values included (sealed in the row). */
    private record Stored(String endpoint, String protocol, Map<String, String> headers, String serviceName, Instant updatedAt) {
    }

    /** What the admin API accepts; {@code headers} values are secrets. */
    public record Input(String endpoint, String protocol, Map<String, String> headers, String serviceName) {
    }

    /**
     * What the admin API answers: where the settings in use come from ({@code admin API},
     * {@code environment} or {@code off}), whether spans and records are exported, and the stored
     * settings with the headers' names only.
     */
    public record View(String source, boolean exporting, String endpoint, String protocol, List<String> headers, String serviceName,
                       Instant updatedAt) {
    }

    TelemetrySettings(JdbcTemplate jdbc, SecretBox secrets, Tracing tracing) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.tracing = tracing;
    }

    @Override
    public void afterSingletonsInstantiated() {
        reload();
    }

    /** Applies what the database holds, when it differs from what is in use (another replica changed it). */
    @Override
    @Scheduled(fixedDelayString = "${gatehouse.catalog-refresh:5s}", initialDelayString = "${gatehouse.catalog-refresh:5s}")
    public synchronized void reload() {
        Stored now = read();
        if (!Objects.equals(now, applied)) {
            apply(now);
        }
    }

    public synchronized View view() {
        Stored s = applied;
        return new View(tracing.source(), tracing.on(), s == null ? null : s.endpoint(), s == null ? null : s.protocol(),
                s == null ? List.of() : List.copyOf(s.headers().keySet()), s == null ? null : s.serviceName(),
                s == null ? null : s.updatedAt());
    }

    /** Stores and applies new settings; the export switches over before this returns. */
    public synchronized View put(Input in) {
        if (in == null) {
            throw ProblemException.invalid("endpoint", "a body is required: {endpoint, protocol?, headers?, serviceName?}");
        }
        String endpoint = endpoint(in.endpoint());
        String protocol = in.protocol() == null || in.protocol().isBlank() ? "http/protobuf" : in.protocol().strip();
        if (!PROTOCOLS.contains(protocol)) {
            throw ProblemException.invalid("protocol", "protocol must be one of " + PROTOCOLS + ", not '" + protocol + "'");
        }
        Map<String, String> headers = headers(in.headers());
        String service = in.serviceName() == null || in.serviceName().isBlank() ? "gatehouse" : in.serviceName().strip();
        if (service.length() > 200 || service.contains(",")) {
            throw ProblemException.invalid("serviceName", "serviceName: at most 200 characters, no comma");
        }
        Instant now = Instant.now();
        String sealed = headers.isEmpty() ? null : secrets.encrypt(Json.string(headers), SEAL_CONTEXT);
        if (jdbc.update("UPDATE telemetry_settings SET endpoint = ?, protocol = ?, headers = ?, service_name = ?, updated_at = ? WHERE id = 1",
                endpoint, protocol, sealed, service, Timestamp.from(now)) == 0) {
            jdbc.update("INSERT INTO telemetry_settings (id, endpoint, protocol, headers, service_name, updated_at) VALUES (1, ?, ?, ?, ?, ?)",
                    endpoint, protocol, sealed, service, Timestamp.from(now));
        }
        apply(read());
        return view();
    }

    /** Removes the settings: the environment's apply again (or none). */
    public synchronized View clear() {
        jdbc.update("DELETE FROM telemetry_settings WHERE id = 1");
        apply(null);
        return view();
    }

    private void apply(Stored s) {
        if (s == null) {
            tracing.use(null);
        } else {
            Map<String, String> config = new HashMap<>();
            config.put("otel.exporter.otlp.endpoint", s.endpoint());
            config.put("otel.exporter.otlp.protocol", s.protocol());
            config.put("otel.service.name", s.serviceName());
            if (!s.headers().isEmpty()) {
                StringBuilder h = new StringBuilder();
                // the SDK percent-decodes header values: encode them so '+', '%' and ',' arrive as written
                s.headers().forEach((k, v) -> h.append(h.isEmpty() ? "" : ",").append(k).append('=')
                        .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")));
                config.put("otel.exporter.otlp.headers", h.toString());
            }
            tracing.use(config);
        }
        applied = s;
    }

    private Stored read() {
        List<Stored> rows = jdbc.query("SELECT endpoint, protocol, headers, service_name, updated_at FROM telemetry_settings WHERE id = 1",
                (rs, n) -> {
                    String sealed = rs.getString(3);
                    Map<String, String> headers = sealed == null ? Map.of()
                            : Json.MAPPER.readValue(secrets.decrypt(sealed, SEAL_CONTEXT), new TypeReference<LinkedHashMap<String, String>>() {
                            });
                    return new Stored(rs.getString(1), rs.getString(2), Map.copyOf(headers), rs.getString(4),
                            rs.getTimestamp(5).toInstant());
                });
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private static String endpoint(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ProblemException.invalid("endpoint", "endpoint is required: the OTLP receiver's base URL, e.g. http://collector:4318");
        }
        try {
            URI u = new URI(raw.strip());
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getUserInfo() != null) {
                throw new IllegalArgumentException();
            }
            return u.toString();
        } catch (Exception e) {
            throw ProblemException.invalid("endpoint", "endpoint must be an http or https URL without credentials (put those in headers), not '"
                    + raw + "'");
        }
    }

    private static Map<String, String> headers(Map<String, String> in) {
        if (in == null) {
            return Map.of();
        }
        if (in.size() > 20) {
            throw ProblemException.invalid("headers", "at most 20 headers");
        }
        Map<String, String> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (k == null || !HEADER_NAME.matcher(k).matches()) {
                throw ProblemException.invalid("headers", "'" + k + "' is not a header name");
            }
            if (v == null || v.isEmpty() || v.length() > 4000 || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw ProblemException.invalid("headers", "the value of header '" + k + "' must be 1-4000 printable characters");
            }
            out.put(k, v);
        });
        return out;
    }
}
