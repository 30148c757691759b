package gatehouse.console;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.audit.LogQuery;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.features.FeatureCommands;
import gatehouse.platform.Json;
import gatehouse.policy.access.Permission;

/** The gateways list, creating, renaming and deleting a gateway, and a gateway's Overview tab with its activity chart. */
@Controller("consoleGatewaysController")
class GatewaysController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final CatalogService catalog;
    private final FeatureCommands features;
    private final LogQuery logs;
    private final GatewayPages pages;

    GatewaysController(ConsoleAccess access, ConsoleAudit audit, CatalogService catalog, FeatureCommands features, LogQuery logs,
                       GatewayPages pages) {
        this.access = access;
        this.audit = audit;
        this.catalog = catalog;
        this.features = features;
        this.logs = logs;
        this.pages = pages;
    }

    @GetMapping("/console/gateways")
    String list(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        model.addAttribute("gateways", access.visibleGateways(viewer).stream().map(pages::row).toList());
        model.addAttribute("mayCreate", access.mayGlobally(viewer, Permission.GATEWAY_MANAGE));
        return "console/gateways";
    }

    @PostMapping("/console/gateways")
    String create(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.GATEWAY_MANAGE);
        GatewayDef g = catalog.createGateway(name);
        audit.record(viewer, "POST /gateways", "/gateways/" + g.id(), null, g);
        flash.addFlashAttribute("info", "Gateway created. Assign a server next, then connect a client.");
        return "redirect:/console/gateways/" + g.id();
    }

    @GetMapping("/console/gateways/{gid}")
    String overview(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Model model) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_READ);
        pages.header(viewer, g, "overview", model);
        String key = clientKey(g.name());
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("type", "http");
        server.put("url", pages.url(g));
        model.addAttribute("mcpJson", Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("mcpServers", Map.of(key, server))));
        model.addAttribute("claudeCommand", "claude mcp add --transport http " + key + " \"" + pages.url(g) + "\"");
        Map<String, gatehouse.catalog.Assignment> bySrv = new LinkedHashMap<>();
        catalog.snapshot().assignments(g.id()).forEach(a -> bySrv.put(a.serverId(), a));
        model.addAttribute("chartTools", features.features(g.id()).stream()
                .filter(f -> f.kind() == gatehouse.policy.provisioning.FeatureKind.TOOL && bySrv.containsKey(f.serverId()))
                .map(f -> bySrv.get(f.serverId()).expose(f.name())).sorted().distinct().toList());
        model.addAttribute("mayLogs", access.may(viewer, Permission.GATEWAY_LOGS, g.id()));
        return "console/gateway-overview";
    }

    /** A client-side name for the gateway: lower-case letters, digits and dashes. */
    static String clientKey(String name) {
        String k = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return k.isEmpty() ? "gatehouse" : k.length() > 40 ? k.substring(0, 40) : k;
    }

    @PostMapping("/console/gateways/{gid}/rename")
    String rename(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @RequestParam String name,
                  RedirectAttributes flash) {
        GatewayDef before = access.gateway(viewer, gid, Permission.GATEWAY_MANAGE);
        GatewayDef after = catalog.renameGateway(gid, name);
        audit.record(viewer, "PATCH /gateways/{}", "/gateways/" + gid, before, after);
        flash.addFlashAttribute("info", "Gateway renamed.");
        return "redirect:/console/gateways/" + gid;
    }

    @PostMapping("/console/gateways/{gid}/delete")
    String delete(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, RedirectAttributes flash) {
        GatewayDef before = access.gateway(viewer, gid, Permission.GATEWAY_MANAGE);
        catalog.deleteGateway(gid);
        audit.record(viewer, "DELETE /gateways/{}", "/gateways/" + gid, before, null);
        flash.addFlashAttribute("info", "Gateway '" + before.name() + "' deleted.");
        return "redirect:/console/gateways";
    }

    /** Calls, errors and mean latency per time bucket, from the request log: the Overview's chart. */
    record Activity(List<String> labels, List<Integer> calls, List<Integer> errors, List<Double> latencyMs, int total) {
    }

    @GetMapping(value = "/console/gateways/{gid}/activity", produces = "application/json")
    @ResponseBody
    Activity activity(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid,
                      @RequestParam(defaultValue = "1h") String range, @RequestParam(required = false) String tool) {
        access.gateway(viewer, gid, Permission.GATEWAY_LOGS);
        Duration span = switch (range) {
            case "24h" -> Duration.ofHours(24);
            case "7d" -> Duration.ofDays(7);
            case "1h" -> Duration.ofHours(1);
            default -> throw new IllegalArgumentException("range must be 1h, 24h or 7d");
        };
        int buckets = range.equals("7d") ? 28 : range.equals("24h") ? 24 : 30;
        Duration width = span.dividedBy(buckets);
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant start = end.minus(span);
        int[] calls = new int[buckets];
        int[] errors = new int[buckets];
        double[] latency = new double[buckets];
        LogQuery.Filter filter = new LogQuery.Filter(gid, null, null, null, null, tool == null || tool.isBlank() ? null : tool, null, null, null,
                start, end, LogQuery.MAX_PAGE, null);
        int[] total = {0};
        logs.stream(filter, r -> {
            Instant t = Instant.parse((String) r.get("time"));
            int i = (int) Math.min(buckets - 1, Duration.between(start, t).toMillis() / width.toMillis());
            if (i < 0) {
                return;
            }
            calls[i]++;
            total[0]++;
            if (!"ok".equals(r.get("status"))) {
                errors[i]++;
            }
            latency[i] += ((Number) r.get("durationMs")).doubleValue();
        });
        List<String> labels = new ArrayList<>();
        List<Integer> c = new ArrayList<>();
        List<Integer> e = new ArrayList<>();
        List<Double> l = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            labels.add(start.plus(width.multipliedBy(i)).toString());
            c.add(calls[i]);
            e.add(errors[i]);
            l.add(calls[i] == 0 ? null : Math.round(latency[i] / calls[i] * 10) / 10.0);
        }
        return new Activity(labels, c, e, l, total[0]);
    }
}
