package gatehouse.telemetry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

import gatehouse.audit.LogRecordListener;
import gatehouse.audit.StoredRecord;
import gatehouse.catalog.health.ServerHealthBoard;
import gatehouse.platform.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import tools.jackson.databind.JsonNode;

/**
 * MCP metrics, counted from the log records as the audit writer takes them: so every message the
 * log holds is counted, in both protocol generations, and nothing is counted on the request path.
 * Label values come from what clients send (method, tool names), so they are bounded: unknown
 * methods count as {@code other}, tools only when a server was routed to, and at most
 * {@code gatehouse.metrics.max-tool-series} distinct tool names.
 */
@Component
class McpMetrics implements LogRecordListener {
    static final Set<String> METHODS = Set.of("initialize", "ping", "tools/list", "tools/call", "prompts/list", "prompts/get",
            "resources/list", "resources/read", "resources/templates/list", "resources/subscribe", "resources/unsubscribe",
            "completion/complete", "logging/setLevel", "server/discover", "subscriptions/listen", "notifications/initialized",
            "notifications/cancelled", "notifications/progress", "notifications/roots/list_changed", "sampling/createMessage",
            "elicitation/create", "roots/list");
    /** Statuses that mean the call failed (a tool that answered isError still worked: tool-error). */
    private static final Set<String> ERRORS = Set.of("error", "denied", "rejected");

    private final MeterRegistry registry;
    private final int maxTools;
    private final Set<String> tools = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> upstreamUp = new ConcurrentHashMap<>();

    private final ServerHealthBoard health;

    McpMetrics(MeterRegistry registry, TelemetryProperties props, ServerHealthBoard health) {
        this.registry = registry;
        this.maxTools = props.maxToolSeries();
        this.health = health;
        health.watch(this::upstream);
    }

    /**
     * The {@code gatehouse_upstream_up} gauge of a server: its health as the health checks and calls
     * observe it (1 ok, 0 failing); while that is unknown or the server is starting, whether the
     * last call reached it.
     */
    private AtomicInteger upstream(String serverId) {
        return upstreamUp.computeIfAbsent(serverId, id -> {
            AtomicInteger lastCall = new AtomicInteger(1);
            Gauge.builder("gatehouse.upstream.up", () -> switch (health.of(id).state()) {
                        case OK -> 1;
                        case FAILING -> 0;
                        case STARTING -> lastCall.get();
                    })
                    .description("1 when the upstream server is healthy (health checks and calls), 0 when it is failing")
                    .tag("server", id).register(registry);
            return lastCall;
        });
    }

    /** The labels of one series of the per-message meters. */
    private record Series(String gateway, String server, String method, String tool, String status) {
    }

    /**
     * The meters of one series, registered once and then only counted. The token counters are
     * registered when first counted, as before: a series that never carried tokens has none.
     * Registering is idempotent, so two threads racing on a token counter get the same meter.
     */
    private final class Meters {
        final Counter calls;
        final Counter errors; // null: the status is not a failure
        final Timer duration;
        private final Tags tags;
        private volatile Counter inputTokens;
        private volatile Counter outputTokens;

        Meters(Tags tags, Counter calls, Counter errors, Timer duration) {
            this.tags = tags;
            this.calls = calls;
            this.errors = errors;
            this.duration = duration;
        }

        Counter inputTokens() {
            Counter c = inputTokens;
            if (c == null) {
                inputTokens = c = tokens(tags, "input");
            }
            return c;
        }

        Counter outputTokens() {
            Counter c = outputTokens;
            if (c == null) {
                outputTokens = c = tokens(tags, "output");
            }
            return c;
        }
    }

    private record UpstreamSeries(String gateway, String server, String tool) {
    }

    private record DecisionSeries(String gateway, String step, String action, String rule) {
    }

    /*
     * Meters by their labels: registering by builder costs a registry lookup with a new id, sorted
     * tags and a map probe for every meter of every record; these maps hold exactly the series the
     * registry holds (labels are bounded, see above), so counting a record is a probe and increments.
     * Nothing removes these meters from the registry; if something ever does, the cache must too.
     */
    private final Map<Series, Meters> series = new ConcurrentHashMap<>();
    private final Map<UpstreamSeries, Timer> upstreamTimers = new ConcurrentHashMap<>();
    private final Map<DecisionSeries, Counter> decisionCounters = new ConcurrentHashMap<>();

    @Override
    public void recorded(StoredRecord r) {
        String gateway = value(r.gatewayId());
        String server = value(r.serverId());
        String method = r.method() != null && METHODS.contains(r.method()) ? r.method() : "other";
        String tool = tool(r);
        String status = value(r.status());
        Meters m = series.computeIfAbsent(new Series(gateway, server, method, tool, status), this::meters);
        m.calls.increment();
        if (m.errors != null) {
            m.errors.increment();
        }
        m.duration.record((long) (r.durationMs() * 1_000_000), TimeUnit.NANOSECONDS);
        if (r.upstreamMs() != null) {
            upstreamTimers.computeIfAbsent(new UpstreamSeries(gateway, server, tool), this::upstreamTimer)
                    .record((long) (r.upstreamMs() * 1_000_000), TimeUnit.NANOSECONDS);
        }
        if (r.inputTokens() != null) {
            m.inputTokens().increment(r.inputTokens());
        }
        if (r.outputTokens() != null) {
            m.outputTokens().increment(r.outputTokens());
        }
        if (r.serverId() != null && r.method() != null && !r.method().startsWith("notifications/")) {
            // an upstream that answered (even with an error of its own) is up; one we could not reach is not
            boolean up = !(r.errorCode() != null && r.errorCode() == -32000);
            upstream(r.serverId()).set(up ? 1 : 0);
        }
        ruleHits(gateway, r.decisions());
    }

    private Meters meters(Series s) {
        Tags tags = Tags.of("gateway", s.gateway(), "server", s.server(), "method", s.method(), "tool", s.tool());
        Counter calls = Counter.builder("gatehouse.mcp.calls").description("MCP messages handled, by outcome").tags(tags)
                .tag("status", s.status()).register(registry);
        Counter errors = ERRORS.contains(s.status())
                ? Counter.builder("gatehouse.mcp.errors").description("MCP requests that failed or were refused").tags(tags)
                        .tag("status", s.status()).register(registry)
                : null;
        Timer duration = Timer.builder("gatehouse.mcp.duration").description("time from a client message to its answer").tags(tags)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        return new Meters(tags, calls, errors, duration);
    }

    private Timer upstreamTimer(UpstreamSeries s) {
        return Timer.builder("gatehouse.upstream.duration").description("time waiting on the upstream server")
                .tags("gateway", s.gateway(), "server", s.server(), "tool", s.tool()).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    }

    private Counter tokens(Tags tags, String direction) {
        return Counter.builder("gatehouse.mcp.tokens").description("tokens the model reads (o200k_base)").tags(tags).tag("direction", direction)
                .register(registry);
    }

    private void ruleHits(String gateway, String decisions) {
        if (decisions == null || decisions.equals("[]")) {
            return;
        }
        for (JsonNode d : Json.tree(decisions)) {
            String rule = d.path("details").path("rule").asString(d.path("details").path("ruleId").asString("-"));
            decisionCounters.computeIfAbsent(new DecisionSeries(gateway, d.path("step").asString("unknown"),
                    d.path("action").asString("unknown"), rule), s -> Counter.builder("gatehouse.decisions")
                    .description("pipeline decisions (rule hits, refusals, hidden tools)")
                    .tags("gateway", s.gateway(), "step", s.step(), "action", s.action(), "rule", s.rule()).register(registry))
                    .increment();
        }
    }

    private String tool(StoredRecord r) {
        if (r.tool() == null || r.serverId() == null) {
            return "-";
        }
        if (tools.contains(r.tool())) {
            return r.tool();
        }
        if (tools.size() < maxTools) {
            tools.add(r.tool());
            return r.tool();
        }
        return "other";
    }

    private static String value(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
