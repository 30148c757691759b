package gatehouse.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.util.UriComponentsBuilder;

import gatehouse.audit.LogExport;
import gatehouse.audit.LogQuery;
import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.Host;
import gatehouse.catalog.ServerDef;
import gatehouse.identity.Directory;
import gatehouse.identity.User;
import gatehouse.platform.Json;
import gatehouse.policy.access.Permission;

/**
 * A gateway's Logging tab: its request log with filters (period, server, tool, status, person, app,
 * decision) and paging, a live tail (htmx polls for records newer than the newest shown), CSV and
 * JSON Lines exports written by the same {@link LogExport} as the admin API's, every record's
 * details with its decisions, and calls, errors and latency over time and per tool. Needs
 * {@code gateway.logs} on the gateway, as {@code GET /gateways/{gid}/logs}.
 */
@Controller
class GatewayLogsController {
    static final int PAGE = 50;
    static final List<String> STATUSES = List.of("ok", "error", "tool-error", "cancelled", "denied", "throttled", "rejected",
            "input-required");
    static final List<String> DECISIONS = List.of("any", "rules", "deny", "redact", "access", "hide");

    private final ConsoleAccess access;
    private final GatewayPages pages;
    private final GatewayTeamsController teams;
    private final LogQuery logs;
    private final LogExport export;
    private final CatalogService catalog;
    private final Directory directory;

    GatewayLogsController(ConsoleAccess access, GatewayPages pages, GatewayTeamsController teams, LogQuery logs, LogExport export,
                          CatalogService catalog, Directory directory) {
        this.access = access;
        this.pages = pages;
        this.teams = teams;
        this.logs = logs;
        this.export = export;
        this.catalog = catalog;
        this.directory = directory;
    }

    /** The filters as the form sends them; every one optional. {@code range} is 15m, 1h, 24h, 7d, 30d or all. */
    record Filters(String range, String server, String tool, String status, String user, String host, String connection, String method,
                   String decision) {
        Filters {
            range = range == null || range.isBlank() ? "24h" : range;
        }

        Instant from(Instant now) {
            return switch (range) {
                case "15m" -> now.minus(Duration.ofMinutes(15));
                case "1h" -> now.minus(Duration.ofHours(1));
                case "24h" -> now.minus(Duration.ofHours(24));
                case "7d" -> now.minus(Duration.ofDays(7));
                case "30d" -> now.minus(Duration.ofDays(30));
                case "all" -> null;
                default -> throw new IllegalArgumentException("range must be 15m, 1h, 24h, 7d, 30d or all");
            };
        }

        LogQuery.Filter query(String gatewayId, Integer limit, String cursor) {
            if (status != null && !status.isBlank() && !STATUSES.contains(status)) {
                throw new IllegalArgumentException("status must be one of " + String.join(", ", STATUSES));
            }
            return new LogQuery.Filter(gatewayId, blank(connection), blank(user), blank(host), blank(server), blank(tool), blank(method), blank(status),
                    blank(decision), from(Instant.now()), null, limit, blank(cursor));
        }

        /** The filters as query parameters, for links (paging, live, exports) that keep them. */
        String query() {
            UriComponentsBuilder b = UriComponentsBuilder.newInstance().queryParam("range", range);
            Map<String, String> rest = new LinkedHashMap<>();
            rest.put("server", server);
            rest.put("tool", tool);
            rest.put("status", status);
            rest.put("user", user);
            rest.put("host", host);
            rest.put("connection", connection);
            rest.put("method", method);
            rest.put("decision", decision);
            rest.forEach((k, v) -> {
                if (v != null && !v.isBlank()) {
                    b.queryParam(k, v);
                }
            });
            return b.encode().build().getQuery();
        }

        private static String blank(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }

    record Choice(String id, String name) {
    }

    /** One record as the table shows it; {@code details} is every field, pretty-printed. */
    record Row(long id, String time, String status, String method, String tool, String server, String who, double durationMs,
               Integer inputTokens, Integer outputTokens, String decisions, String errorMessage, String details) {
    }

    /** Names for ids: servers, people, apps, connections. */
    record Names(Map<String, String> servers, Map<String, String> users, Map<String, String> hosts, Map<String, Connection> connections) {
        /** The person and/or app behind a record: its connection's, else the record's own ids. */
        String who(Map<String, Object> r) {
            Connection c = r.get("connectionId") == null ? null : connections.get((String) r.get("connectionId"));
            String user = c != null ? c.userId() : (String) r.get("userId");
            String host = c != null ? c.hostId() : (String) r.get("hostId");
            String hostName = host == null ? null : hosts.get(host);
            if (user != null) {
                return users.getOrDefault(user, user) + (hostName != null ? " via " + hostName : "");
            }
            return hostName != null ? hostName : host != null ? host : r.get("connectionId") == null ? "" : (String) r.get("connectionId");
        }
    }

    Names names() {
        Map<String, String> servers = new HashMap<>();
        catalog.snapshot().servers().values().forEach(s -> servers.put(s.id(), s.name()));
        Map<String, String> users = new HashMap<>();
        directory.users().forEach(u -> users.put(u.id(), u.username()));
        Map<String, String> hosts = new HashMap<>();
        catalog.hosts().forEach(h -> hosts.put(h.id(), h.name()));
        return new Names(servers, users, hosts, catalog.snapshot().connectionsById());
    }

    /** Each decision as "step: action (rule)", e.g. "rules: redact (no-emails)". */
    static String decisions(Object list) {
        if (!(list instanceof tools.jackson.databind.JsonNode nodes)) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (tools.jackson.databind.JsonNode d : nodes) {
            String rule = d.path("details").path("rule").asString("");
            out.add(d.path("step").asString("?") + ": " + d.path("action").asString("?") + (rule.isEmpty() ? "" : " (" + rule + ")"));
        }
        return String.join(", ", out);
    }

    Row row(Map<String, Object> r, Names n) {
        String server = (String) r.get("serverId");
        return new Row((Long) r.get("id"), (String) r.get("time"), (String) r.get("status"), (String) r.get("method"), (String) r.get("tool"),
                server == null ? "" : n.servers().getOrDefault(server, server), n.who(r), ((Number) r.get("durationMs")).doubleValue(),
                (Integer) r.get("inputTokens"), (Integer) r.get("outputTokens"), decisions(r.get("decisions")), (String) r.get("errorMessage"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
    }

    private GatewayDef gateway(ConsoleAccess.Viewer viewer, String gid) {
        return access.gateway(viewer, gid, Permission.GATEWAY_LOGS);
    }

    @GetMapping("/console/gateways/{gid}/logs")
    String logs(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Filters filters,
                @RequestParam(required = false) String cursor, @RequestParam(defaultValue = "false") boolean live, Model model) {
        GatewayDef g = gateway(viewer, gid);
        pages.header(viewer, g, "logs", model);
        Names n = names();
        LogQuery.Page page = logs.page(filters.query(g.id(), PAGE, cursor));
        List<Row> rows = page.records().stream().map(r -> row(r, n)).toList();
        model.addAttribute("filters", filters);
        model.addAttribute("query", filters.query());
        model.addAttribute("rows", rows);
        model.addAttribute("next", page.next());
        model.addAttribute("paged", cursor != null && !cursor.isBlank());
        model.addAttribute("live", live && (cursor == null || cursor.isBlank()));
        model.addAttribute("newestId", rows.stream().mapToLong(Row::id).max().orElse(0));
        List<ServerDef> servers = new ArrayList<>();
        for (Assignment a : catalog.snapshot().assignments(g.id())) {
            ServerDef s = catalog.snapshot().servers().get(a.serverId());
            if (s != null) {
                servers.add(s);
            }
        }
        model.addAttribute("servers", servers);
        model.addAttribute("tools", teams.toolNames(g.id()));
        model.addAttribute("users", directory.users().stream().sorted(Comparator.comparing(User::username)).toList());
        model.addAttribute("hosts", catalog.hosts().stream().sorted(Comparator.comparing(Host::name)).toList());
        model.addAttribute("connections", catalog.snapshot().connectionsById().values().stream().filter(c -> c.gatewayId().equals(g.id()))
                .sorted(Comparator.comparing(Connection::createdAt)).map(c -> new Choice(c.id(), n.who(Map.of("connectionId", c.id())))).toList());
        model.addAttribute("statuses", STATUSES);
        model.addAttribute("decisionNames", DECISIONS);
        model.addAttribute("byTool", byTool(g.id(), filters));
        return "console/gateway-logs";
    }

    /**
     * The live tail: records newer (by id, so late writes are not missed) than {@code after} among the
     * newest matches, and a new marker that polls again from the newest one. An htmx fragment.
     */
    @GetMapping("/console/gateways/{gid}/logs/tail")
    String tail(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Filters filters,
                @RequestParam(defaultValue = "0") long after, Model model) {
        GatewayDef g = gateway(viewer, gid);
        Names n = names();
        List<Row> rows = logs.page(filters.query(g.id(), 200, null)).records().stream().filter(r -> (Long) r.get("id") > after)
                .map(r -> row(r, n)).toList();
        model.addAttribute("gateway", pages.row(g));
        model.addAttribute("query", filters.query());
        model.addAttribute("rows", rows);
        model.addAttribute("newestId", Math.max(after, rows.stream().mapToLong(Row::id).max().orElse(0)));
        return "console/gateway-logs :: tail";
    }

    /** The matching records as CSV or JSON Lines, every one (no paging), as the admin API exports them. */
    @GetMapping("/console/gateways/{gid}/logs/export")
    ResponseEntity<StreamingResponseBody> export(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid,
                                                 Filters filters, @RequestParam String format) {
        GatewayDef g = gateway(viewer, gid);
        LogQuery.Filter f = filters.query(g.id(), null, null);
        boolean csv = switch (format) {
            case "csv" -> true;
            case "jsonl" -> false;
            default -> throw new IllegalArgumentException("format must be csv or jsonl");
        };
        return ResponseEntity.ok()
                .contentType(csv ? MediaType.parseMediaType("text/csv; charset=utf-8") : MediaType.parseMediaType("application/jsonl"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"gatehouse-" + g.id() + "-logs." + format + "\"")
                .body(out -> export.write(out, f, csv));
    }

    /** Calls, errors and latency per tool over the filtered period (the newest {@link LogQuery#MAX_PAGE} records at most). */
    record ToolStats(String tool, int calls, int errors, double meanMs, double p95Ms, int share) {
    }

    record ByTool(List<ToolStats> tools, int records, boolean capped) {
    }

    ByTool byTool(String gid, Filters filters) {
        Map<String, List<Double>> latencies = new LinkedHashMap<>();
        Map<String, Integer> errors = new HashMap<>();
        int[] total = {0};
        logs.stream(filters.query(gid, LogQuery.MAX_PAGE, null), r -> {
            total[0]++;
            String tool = r.get("tool") == null ? "(" + r.get("method") + ")" : (String) r.get("tool");
            latencies.computeIfAbsent(tool, k -> new ArrayList<>()).add(((Number) r.get("durationMs")).doubleValue());
            if (!"ok".equals(r.get("status"))) {
                errors.merge(tool, 1, Integer::sum);
            }
        });
        int max = latencies.values().stream().mapToInt(List::size).max().orElse(1);
        List<ToolStats> stats = latencies.entrySet().stream().map(e -> {
            List<Double> l = new ArrayList<>(e.getValue());
            l.sort(null);
            double mean = l.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double p95 = l.get(Math.min(l.size() - 1, (int) Math.ceil(l.size() * 0.95) - 1));
            return new ToolStats(e.getKey(), l.size(), errors.getOrDefault(e.getKey(), 0), Math.round(mean * 10) / 10.0,
                    Math.round(p95 * 10) / 10.0, (int) Math.round(100.0 * l.size() / max));
        }).sorted(Comparator.comparingInt(ToolStats::calls).reversed()).toList();
        return new ByTool(stats, total[0], total[0] >= LogQuery.MAX_PAGE);
    }

}
