package gatehouse.console;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import gatehouse.audit.LogQuery;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.Host;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;

/**
 * A gateway's Logging tab: the request log filtered (tool, server, connection, method, status,
 * decision, period), a live tail (htmx polls the rows), and an export of every match as JSON lines.
 */
@Controller("consoleGatewayLogsController")
class GatewayLogsController {
    private static final int PAGE = 100;

    private final ConsoleAccess access;
    private final GatewayPages pages;
    private final LogQuery logs;
    private final CatalogService catalog;

    GatewayLogsController(ConsoleAccess access, GatewayPages pages, LogQuery logs, CatalogService catalog) {
        this.access = access;
        this.pages = pages;
        this.logs = logs;
        this.catalog = catalog;
    }

    /** The filter form's fields; empty means "any". {@code since}: 15m, 1h, 24h, 7d or empty for all time. */
    record LogFilter(String tool, String server, String connection, String method, String status, String decision, String since, Boolean live) {
        LogQuery.Filter query(String gatewayId, Integer limit) {
            return new LogQuery.Filter(gatewayId, blank(connection), null, null, blank(server), blank(tool), blank(method), blank(status),
                    blank(decision), from(), null, limit, null);
        }

        Instant from() {
            if (since == null || since.isBlank()) {
                return null;
            }
            return Instant.now().minus(switch (since) {
                case "15m" -> Duration.ofMinutes(15);
                case "1h" -> Duration.ofHours(1);
                case "24h" -> Duration.ofHours(24);
                case "7d" -> Duration.ofDays(7);
                default -> throw ProblemException.invalid("since", "since must be 15m, 1h, 24h or 7d");
            });
        }

        /** The filter as a query string, for the live tail's and the export's URLs. */
        String queryString() {
            StringBuilder b = new StringBuilder();
            append(b, "tool", tool);
            append(b, "server", server);
            append(b, "connection", connection);
            append(b, "method", method);
            append(b, "status", status);
            append(b, "decision", decision);
            append(b, "since", since);
            return b.toString();
        }

        private static void append(StringBuilder b, String name, String value) {
            if (value != null && !value.isBlank()) {
                b.append(b.isEmpty() ? "" : "&").append(name).append('=').append(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }

        private static String blank(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }

    /** One log record as the table shows it. */
    record Row(String time, String who, String method, String tool, String status, String errorMessage, double durationMs,
               Integer inputTokens, Integer outputTokens, String decisions) {
    }

    record Choice(String id, String name) {
    }

    @GetMapping("/console/gateways/{gid}/logs")
    String tab(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, LogFilter filter, Model model) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_LOGS);
        pages.header(viewer, g, "logs", model);
        CatalogSnapshot snap = catalog.snapshot();
        model.addAttribute("filter", filter);
        model.addAttribute("rows", rows(gid, filter));
        model.addAttribute("servers", snap.assignments(gid).stream().map(a -> new Choice(a.serverId(), snap.servers().get(a.serverId()).name()))
                .toList());
        model.addAttribute("connections", snap.connectionsById().values().stream().filter(c -> c.gatewayId().equals(gid))
                .sorted(Comparator.comparing(Connection::createdAt)).map(c -> new Choice(c.id(), who(c, hostNames()))).toList());
        model.addAttribute("query", filter.queryString());
        model.addAttribute("gatewayId", gid);
        model.addAttribute("live", Boolean.TRUE.equals(filter.live()));
        return "console/gateway-logs";
    }

    /** The table's rows alone: what the live tail fetches every few seconds. */
    @GetMapping("/console/gateways/{gid}/logs/rows")
    String rows(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, LogFilter filter, Model model) {
        access.gateway(viewer, gid, Permission.GATEWAY_LOGS);
        model.addAttribute("rows", rows(gid, filter));
        model.addAttribute("gatewayId", gid);
        model.addAttribute("query", filter.queryString());
        model.addAttribute("live", true);
        return "console/gateway-logs :: rows";
    }

    /** Every matching record, newest first, as JSON lines (the admin API also offers CSV). */
    @GetMapping("/console/gateways/{gid}/logs/export")
    ResponseEntity<StreamingResponseBody> export(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid,
                                                 LogFilter filter) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_LOGS);
        LogQuery.Filter f = filter.query(g.id(), null);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/jsonl"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"gatehouse-" + g.id() + "-logs.jsonl\"")
                .body(out -> {
                    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
                    try {
                        logs.stream(f, row -> {
                            try {
                                w.write(Json.string(row));
                                w.write('\n');
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
                    } catch (UncheckedIOException e) {
                        throw e.getCause(); // the browser went away
                    }
                    w.flush();
                });
    }

    private Map<String, String> hostNames() {
        return catalog.hosts().stream().collect(java.util.stream.Collectors.toMap(Host::id, Host::name, (a, b) -> a));
    }

    private String who(Connection c, Map<String, String> hosts) {
        String host = c.hostId() == null ? null : hosts.get(c.hostId());
        String user = null;
        if (c.userId() != null) {
            try {
                user = access.username(c.userId());
            } catch (RuntimeException e) {
                user = c.userId();
            }
        }
        return user != null ? user + (host == null ? "" : " via " + host) : host != null ? host : c.id();
    }

    /** Each decision as "step: action (rule)", e.g. "rules: alert (marker)". */
    static String decisions(tools.jackson.databind.JsonNode list) {
        List<String> out = new java.util.ArrayList<>();
        for (tools.jackson.databind.JsonNode d : list) {
            String rule = d.path("details").path("rule").asString("");
            out.add(d.path("step").asString("?") + ": " + d.path("action").asString("?") + (rule.isEmpty() ? "" : " (" + rule + ")"));
        }
        return String.join(", ", out);
    }

    private List<Row> rows(String gid, LogFilter filter) {
        CatalogSnapshot snap = catalog.snapshot();
        Map<String, String> hosts = hostNames();
        return logs.find(filter.query(gid, PAGE)).stream().map(r -> {
            Connection c = r.get("connectionId") == null ? null : snap.connectionsById().get((String) r.get("connectionId"));
            Object decisions = r.get("decisions");
            String d = decisions instanceof tools.jackson.databind.JsonNode n ? decisions(n) : "";
            return new Row((String) r.get("time"), c == null ? (String) r.get("connectionId") : who(c, hosts), (String) r.get("method"),
                    (String) r.get("tool"), (String) r.get("status"), (String) r.get("errorMessage"), ((Number) r.get("durationMs")).doubleValue(),
                    (Integer) r.get("inputTokens"), (Integer) r.get("outputTokens"), d);
        }).toList();
    }
}
