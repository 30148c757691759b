package gatehouse.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

/**
 * The benchmark harness: starts fast upstreams and the packaged Gatehouse jar as separate
 * processes, then runs each scenario against the upstream directly and through Gatehouse in
 * alternation (A B A B …), so every figure is a ratio measured in one run on one machine. Every
 * answer is checked; a run with errors reports them and exits non-zero. Run it with
 * {@code bin/bench} (see {@code docs/benchmarks.md}).
 */
public final class Bench {
    private static final String ADMIN = "gha_bench_admin_token_0123456789abcdef";
    /** The {@code pii} tool's text once the default PII rule set has redacted it (e-mail, phone and card gone). */
    private static final String REDACTED_PII = "Contact  or ; card  on file.";
    /** The reference server of the MCP SDK, the harness's realistic upstream. */
    private static final String EVERYTHING = "server-everything";

    private final Path work;
    private final Map<String, String> options;
    private final HttpClient admin = HttpClient.newHttpClient();
    private final List<BenchProcess> processes = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private BenchProcess gatehouse;
    private String gatehouseBase;
    private int rounds;

    private Bench(Path work, Map<String, String> options) {
        this.work = work;
        this.options = options;
    }

    /** One line of the results table. */
    record Row(String scenario, String unit, Histogram direct, Histogram gateway, double directPerSecond, double gatewayPerSecond,
               double upstreamCpuPerCallMs, double gatewayCpuPerCallMs, double gatewayAllocKbPerCall, long errors, String firstError) {
    }

    /** One side of a scenario: how to make its workers, and which upstream processes serve it. */
    record Side(Function<Integer, List<Load.Call>> workers, List<BenchProcess> upstreams) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("--") && a.contains("=")) {
                options.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (a.startsWith("--")) {
                options.put(a.substring(2), "true");
            }
        }
        Path work = Path.of(options.getOrDefault("work", "target/bench"));
        Bench bench = new Bench(work, options);
        int exit;
        try {
            exit = bench.run();
        } finally {
            bench.stopAll();
        }
        System.exit(exit);
    }

    private int run() throws Exception {
        Files.createDirectories(work);
        rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        double scale = Double.parseDouble(options.getOrDefault("scale", "1"));
        String only = options.get("only");

        int p2025a = freePort();
        int p2025b = freePort();
        int p2025c = freePort();
        int p2026 = freePort();
        BenchProcess a = upstream("fast-a", p2025a, "2025");
        BenchProcess b = upstream("fast-b", p2025b, "2025");
        BenchProcess c = upstream("fast-c", p2025c, "2025");
        BenchProcess s = upstream("fast-2026", p2026, "2026");
        startGatehouse();

        String gw = createGateway("bench");
        assign(gw, createServer("fast-a", "http://127.0.0.1:" + p2025a + "/mcp"), "a");
        String token = connect(gw);
        String fanout = createGateway("bench-fanout");
        assign(fanout, createServer("fan-a", "http://127.0.0.1:" + p2025a + "/mcp"), "a");
        assign(fanout, createServer("fan-b", "http://127.0.0.1:" + p2025b + "/mcp"), "b");
        assign(fanout, createServer("fan-c", "http://127.0.0.1:" + p2025c + "/mcp"), "c");
        String fanoutToken = connect(fanout);
        String gw26 = createGateway("bench-2026");
        assign(gw26, createServer("fast-2026", "http://127.0.0.1:" + p2026 + "/mcp"), "a");
        String token26 = connect(gw26);

        // the same upstream behind a gateway with the default PII rule set, redacting both ways
        String rulesGw = createGateway("bench-rules");
        assign(rulesGw, createServer("rules-a", "http://127.0.0.1:" + p2025a + "/mcp"), "a");
        api("POST", "/gateways/" + rulesGw + "/rules", "{\"name\":\"pii\",\"type\":\"pii\",\"action\":\"redact\","
                + "\"direction\":\"both\",\"mode\":\"enforce\"}");
        String rulesToken = connect(rulesGw);
        String rulesUrl = gatehouseBase + "/gateway/v1/mcp?gateway=" + rulesGw;

        String gwUrl = gatehouseBase + "/gateway/v1/mcp?gateway=" + gw;
        String fanUrl = gatehouseBase + "/gateway/v1/mcp?gateway=" + fanout;
        String gw26Url = gatehouseBase + "/gateway/v1/mcp?gateway=" + gw26;
        String directA = "http://127.0.0.1:" + p2025a + "/mcp";
        String direct26 = "http://127.0.0.1:" + p2026 + "/mcp";

        int n = (int) (4000 * scale);
        List<Scenario> scenarios = List.of(
                new Scenario("small call, first calls after start (JIT cold)", "call", 1, n / 4, 400, 0,
                        new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__echo", "hello", "hello"), List.of(a))),
                new Scenario("warm-up (not reported)", null, 4, (int) (5000 * scale), 0, 0,
                        new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__echo", "hello", "hello"), List.of(a))),
                // Back to back above, paced here: a client at a steady rate takes other branches (the
                // poller waits, a kept connection has nothing to read yet), which the JIT compiles anew,
                // at C2 only after thousands of calls; without this the reported phases at 400/s
                // measure those compilations. Four clients at 200/s each: as many calls as above.
                new Scenario("warm-up at a steady rate (not reported)", null, 4, (int) (5000 * scale), 200, 0,
                        new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__echo", "hello", "hello"), List.of(a))),
                new Scenario("small call, 2025 session, 400/s", "call", 1, n, 400, 0,
                        new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__echo", "hello", "hello"), List.of(a))),
                // The stateless calls, the 100 KB results and the rules run code the small call's
                // warm-ups never reach (other envelopes, long strings, the rules); without their own
                // warm-up their rows measure C1 and C2 compiling it (30-40% of the gateway's CPU).
                new Scenario(WARM_UP_OF + "small call, 2026-07-28 stateless, 400/s (not reported)", null, 4, n / 2, 100, 0,
                        new Side(w -> callers(w, direct26, null, true, "echo", "hello", "hello"), List.of(s)),
                        new Side(w -> callers(w, gw26Url, token26, true, "a__echo", "hello", "hello"), List.of(s))),
                new Scenario("small call, 2026-07-28 stateless, 400/s", "call", 1, n, 400, 0,
                        new Side(w -> callers(w, direct26, null, true, "echo", "hello", "hello"), List.of(s)),
                        new Side(w -> callers(w, gw26Url, token26, true, "a__echo", "hello", "hello"), List.of(s))),
                // Back to back first: the large answers deoptimize the hot path compiled for small
                // ones, and C2 compiles it again only after thousands more calls; the paced part
                // alone left that to the reported phase (a fifth of the gateway's CPU there).
                new Scenario(WARM_UP_OF + "100 KB result, 100/s, back to back (not reported)", null, 2, n, 0, 0,
                        new Side(w -> callers(w, directA, null, false, "big", "", "lorem ipsum"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__big", "", "lorem ipsum"), List.of(a))),
                new Scenario(WARM_UP_OF + "100 KB result, 100/s (not reported)", null, 2, n / 4, 50, 0,
                        new Side(w -> callers(w, directA, null, false, "big", "", "lorem ipsum"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__big", "", "lorem ipsum"), List.of(a))),
                new Scenario("100 KB result, 100/s", "call", 1, n / 4, 100, 0,
                        new Side(w -> callers(w, directA, null, false, "big", "", "lorem ipsum"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__big", "", "lorem ipsum"), List.of(a))),
                new Scenario("warm-up of the PII rules gateway at a steady rate (not reported)", null, 2, n / 4, 100, 0,
                        new Side(w -> callers(w, rulesUrl, rulesToken, false, "a__pii", "", REDACTED_PII), List.of(a)),
                        new Side(w -> callers(w, rulesUrl, rulesToken, false, "a__big", "", "lorem ipsum"), List.of(a))),
                new Scenario("100 KB result through PII rules (redact), 100/s", "call", 1, n / 4, 100, 0,
                        new Side(w -> callers(w, directA, null, false, "big", "", "lorem ipsum"), List.of(a)),
                        new Side(w -> callers(w, rulesUrl, rulesToken, false, "a__big", "", "lorem ipsum"), List.of(a))),
                // the "direct" columns of these two are the same gateway without rules (and its CPU, not the upstream's)
                new Scenario("100 KB result, PII rules vs the same gateway without rules, 100/s", "call", 1, n / 4, 100, 0,
                        new Side(w -> callers(w, gwUrl, token, false, "a__big", "", "lorem ipsum"), List.of(gatehouse)),
                        new Side(w -> callers(w, rulesUrl, rulesToken, false, "a__big", "", "lorem ipsum"), List.of(gatehouse))),
                new Scenario("small call with PII (redacted), PII rules vs the same gateway without rules, 400/s", "call", 1, n, 400, 0,
                        new Side(w -> callers(w, gwUrl, token, false, "a__pii", "", "jane.doe@example.org"), List.of(gatehouse)),
                        new Side(w -> callers(w, rulesUrl, rulesToken, false, "a__pii", "", REDACTED_PII), List.of(gatehouse))),
                // Lists and session starts run code the call warm-ups never reach; without their own
                // warm-up their rows measure C2 compiling it (about half the gateway's CPU per list).
                new Scenario(WARM_UP_OF + "tools/list, 60 tools merged vs 20 direct (cached), 200/s, at a steady rate (not reported)", null, 2, n, 200, 0,
                        new Side(w -> listers(w, directA, null, 20), List.of(a)),
                        new Side(w -> listers(w, fanUrl, fanoutToken, 60), List.of(a, b, c))),
                new Scenario("tools/list, 60 tools merged vs 20 direct (cached), 200/s", "list", 1, n / 2, 200, 0,
                        new Side(w -> listers(w, directA, null, 20), List.of(a)),
                        new Side(w -> listers(w, fanUrl, fanoutToken, 60), List.of(a, b, c))),
                new Scenario(WARM_UP_OF + "session start: initialize + first call (3 upstreams behind the gateway) (not reported)", null, 1, n / 10, 0, 0,
                        new Side(w -> sessionStarts(w, directA, null, "echo"), List.of(a)),
                        new Side(w -> sessionStarts(w, fanUrl, fanoutToken, "a__echo"), List.of(a, b, c))),
                new Scenario("session start: initialize + first call (3 upstreams behind the gateway)", "session", 1, n / 10, 0, 0,
                        new Side(w -> sessionStarts(w, directA, null, "echo"), List.of(a)),
                        new Side(w -> sessionStarts(w, fanUrl, fanoutToken, "a__echo"), List.of(a, b, c))),
                new Scenario("saturation: 16 clients back to back", "throughput", 16, n / 4, 0, 0,
                        new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)),
                        new Side(w -> callers(w, gwUrl, token, false, "a__echo", "hello", "hello"), List.of(a))));
        runScenarios(scenarios, only);
        // Their servers are set up only now, so they are not in the catalogue (health checks,
        // discovery) while the rows above run.
        runScenarios(statelessLists(n, only, false), only);
        runScenarios(statelessLists(n, only, true), only);
        runScenarios(serverEverything(n, only), only);
        if (options.containsKey("aot") && (only == null || "small call, first calls after start".contains(only))) {
            aotColdStarts(n, new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)), directA);
        }
        if (options.containsKey("contextforge")) {
            // Optional (--contextforge): IBM ContextForge in Gatehouse's place, in front of the same upstream.
            ContextForge cf = ContextForge.start(work, Path.of(options.getOrDefault("contextforge-venv", "target/contextforge-venv")),
                    freePort(), directA, "fast-a");
            processes.add(cf.process);
            notes.add("ContextForge " + cf.version + " (PyPI " + ContextForge.PACKAGE + ", one uvicorn worker, SQLite, JWT auth), "
                    + "its CPU measured like Gatehouse's; its row's 'Gatehouse' columns are ContextForge's.");
            String cfTool = ContextForge.toolName("fast-a", "echo");
            double rate = Double.parseDouble(options.getOrDefault("contextforge-rate", "5"));
            Scenario sc = new Scenario("IBM ContextForge in Gatehouse's place: small call, 2025 session, " + (int) rate + "/s", "call", 1,
                    Math.max(20, n / 40), rate, 0,
                    new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)),
                    new Side(w -> callers(w, cf.mcpUrl, cf.token, false, cfTool, "hello", "hello"), List.of(a)), cf.process);
            if (only == null || sc.name().contains(only)) {
                runScenario(sc);
            }
        }
        int idle = (int) Math.max(100, 1000 * Math.min(1, scale));
        Scenario beside = new Scenario("small call at 400/s beside " + idle + " idle sessions", "call", 1, n, 400, 0,
                new Side(w -> callers(w, directA, null, false, "echo", "hello", "hello"), List.of(a)),
                new Side(w -> callers(w, gwUrl, token, false, "a__echo", "hello", "hello"), List.of(a)));
        if (only == null || "idle sessions".contains(only) || beside.name().contains(only)) {
            idleSessions(gwUrl, token, idle, beside);
        }
        String table = table();
        System.out.println(table);
        Path out = work.resolve("results.md");
        Files.writeString(out, table);
        System.out.println("written to " + out.toAbsolutePath());
        long errors = rows.stream().mapToLong(Row::errors).sum();
        if (errors > 0) {
            System.out.println("FAILED: " + errors + " calls had wrong or missing answers");
            return 1;
        }
        return 0;
    }

    /** Runs the selected scenarios in order; a warm-up is followed by the wait for a quiet JIT. */
    private void runScenarios(List<Scenario> scenarios, String only) throws Exception {
        for (Scenario sc : scenarios) {
            // the calls' warm-ups always run; the rules gateway's, the lists' and the session starts'
            // only when a scenario they warm up is selected
            boolean ownWarmUp = sc.name().contains("PII rules") || sc.name().contains("tools/list") || sc.name().contains("session start")
                    || sc.name().contains(EVERYTHING) || sc.name().startsWith(WARM_UP_OF);
            if (only != null && (sc.unit() != null || ownWarmUp) && !sc.name().contains(only)) {
                continue;
            }
            runScenario(sc);
            if (sc.unit() == null && (sc.name().startsWith("warm-up at a steady rate") || sc.name().contains("tools/list")
                    || sc.name().contains("session start") || sc.name().contains(EVERYTHING) || sc.name().startsWith(WARM_UP_OF)
                    || sc.name().contains("PII rules"))) {
                jitQuiet(sc.name().replace(" (not reported)", ""));
                if (options.containsKey("idle")) {
                    idleCpu(Integer.parseInt(options.get("idle")));
                }
            }
        }
    }

    /**
     * Lists of 2026-07-28 clients through a gateway in front of three 2026-07-28 upstreams, against
     * one of them asked directly. {@code uncached}: the upstreams' lists declare {@code ttlMs: 0},
     * so the gateway asks all three (at once) for every client's list; else they are cached (the
     * same as the 2025 cached row, for the other generation, whose answers are shaped per request).
     * Started only when selected.
     */
    private List<Scenario> statelessLists(int n, String only, boolean uncached) throws Exception {
        String name = uncached ? "tools/list, 60 tools merged vs 20 direct (uncached: the upstreams declare ttlMs 0), 200/s"
                : "tools/list, 60 tools merged vs 20 direct (cached, 2026-07-28 stateless), 200/s";
        // the warm-up's name holds the row's distinctive part, so --only with that part selects both
        String warmUp = "warm-up of the tools/list (" + (uncached ? "uncached" : "cached, 2026-07-28 stateless")
                + ") at a steady rate (not reported)";
        if (only != null && !name.contains(only) && !warmUp.contains(only)) {
            return List.of();
        }
        String generation = uncached ? "2026-ttl0" : "2026";
        List<BenchProcess> ups = new ArrayList<>();
        String gw = createGateway("bench-lists-" + generation);
        String direct = null;
        for (String prefix : List.of("a", "b", "c")) {
            int port = freePort();
            ups.add(upstream("fast-" + generation + "-" + prefix, port, generation));
            String url = "http://127.0.0.1:" + port + "/mcp";
            direct = direct == null ? url : direct;
            assign(gw, createServer("lists-" + generation + "-" + prefix, url), prefix);
        }
        String token = connect(gw);
        String gwUrl = gatehouseBase + "/gateway/v1/mcp?gateway=" + gw;
        String directUrl = direct;
        Side directSide = new Side(w -> listers(w, directUrl, null, true, 20), List.of(ups.getFirst()));
        Side gatewaySide = new Side(w -> listers(w, gwUrl, token, true, 60), ups);
        return List.of(new Scenario(warmUp, null, 2, n, 200, 0, directSide, gatewaySide),
                new Scenario(name, "list", 1, n / 2, 200, 0, directSide, gatewaySide));
    }

    /**
     * A realistic upstream: the reference server {@code @modelcontextprotocol/server-everything}
     * (Node, the SDK's Streamable HTTP transport, answers as event streams) from the test peers'
     * node_modules ({@code GATEHOUSE_NODE_PEERS}, else src/test/node/node_modules; node from
     * {@code GATEHOUSE_NODE}, else {@code node}). Its {@code echo} tool at 100 calls/s. Skipped
     * with a note when the peers are not installed.
     */
    private List<Scenario> serverEverything(int n, String only) throws Exception {
        String name = "small call to " + EVERYTHING + " (Node SDK, answers as event streams), 100/s";
        String warmUp = "warm-up of the " + EVERYTHING + " calls (not reported)";
        if (only != null && !name.contains(only) && !warmUp.contains(only)) {
            return List.of();
        }
        Path modules = Path.of(System.getenv().getOrDefault("GATEHOUSE_NODE_PEERS", "src/test/node/node_modules"));
        Path script = modules.resolve("@modelcontextprotocol/server-everything/dist/index.js").toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            String line = "The " + EVERYTHING + " row was skipped: no " + script + " (install the test peers: npm ci in src/test/node).";
            System.out.println(line);
            notes.add(line);
            return List.of();
        }
        int port = freePort();
        String node = System.getenv().getOrDefault("GATEHOUSE_NODE", "node");
        BenchProcess everything = BenchProcess.start("everything", List.of(node, script.toString(), "streamableHttp"),
                Map.of("PORT", Integer.toString(port)), work.resolve("everything.log"));
        processes.add(everything);
        waitForPort(port, EVERYTHING);
        String url = "http://127.0.0.1:" + port + "/mcp";
        String gw = createGateway("bench-everything");
        assign(gw, createServer("everything", url), "e");
        String token = connect(gw);
        String gwUrl = gatehouseBase + "/gateway/v1/mcp?gateway=" + gw;
        Side directSide = new Side(w -> callers(w, url, null, false, "echo", "message", "hello", "Echo: hello"), List.of(everything));
        Side gatewaySide = new Side(w -> callers(w, gwUrl, token, false, "e__echo", "message", "hello", "Echo: hello"), List.of(everything));
        // the gateway reads this server's answers as event streams, a path the fast upstreams' JSON answers never take
        return List.of(new Scenario(warmUp, null, 2, n / 4, 0, 0, directSide, gatewaySide),
                new Scenario(name, "call", 1, n / 4, 100, 0, directSide, gatewaySide));
    }

    /**
     * The machine's CPU time taken by its host (steal) and its CPU time in all, in clock ticks, from
     * the first line of {@code /proc/stat}; null where that cannot be read.
     */
    static long[] stealTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= 8; i++) { // user nice system idle iowait irq softirq steal (guest is inside user)
                total += Long.parseLong(f[i]);
            }
            return new long[] {Long.parseLong(f[8]), total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The host's share of the machine's CPU time between two {@link #stealTicks()}, as a percentage; "?" when unknown. */
    static String stealShare(long[] before, long[] after) {
        if (before == null || after == null || after[1] <= before[1]) {
            return "?";
        }
        return String.format(Locale.ROOT, "%.1f%%", (after[0] - before[0]) * 100.0 / (after[1] - before[1]));
    }

    /**
     * Start of the name of a row's own warm-up, followed by the row's name: any {@code --only} text
     * that selects the row selects its warm-up too.
     */
    static final String WARM_UP_OF = "warm-up of: ";

    /** {@code proxy}: the process in the gateway's place whose CPU is measured (null: Gatehouse itself). */
    record Scenario(String name, String unit, int workers, int callsPerWorker, double ratePerWorker, int unused, Side direct,
                    Side gateway, BenchProcess proxy) {
        Scenario(String name, String unit, int workers, int callsPerWorker, double ratePerWorker, int unused, Side direct,
                 Side gateway) {
            this(name, unit, workers, callsPerWorker, ratePerWorker, unused, direct, gateway, null);
        }
    }

    private void runScenario(Scenario sc) throws Exception {
        System.out.printf(Locale.ROOT, "%s: %d rounds of %d × %d calls each way%n", sc.name(), rounds, sc.workers(), sc.callsPerWorker());
        Histogram direct = new Histogram(3);
        Histogram gateway = new Histogram(3);
        double directSeconds = 0;
        double gatewaySeconds = 0;
        long directCalls = 0;
        long gatewayCalls = 0;
        double upstreamCpu = 0;
        double gatewayCpu = 0;
        double gatewayJit = 0;
        double alloc = 0;
        long errors = 0;
        String firstError = null;
        int r = sc.unit() == null ? 1 : rounds;
        List<String> perRound = new ArrayList<>();
        List<String> stealPerRound = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            // A, then B: the same upstream, the same client code, the same machine state.
            List<Load.Call> dw = sc.direct().workers().apply(sc.workers());
            double upBefore = cpu(sc.direct().upstreams());
            long[] stealBefore = stealTicks();
            Load.Result d = Load.run(dw, sc.callsPerWorker(), sc.ratePerWorker());
            long[] stealBetween = stealTicks();
            upstreamCpu += cpu(sc.direct().upstreams()) - upBefore;
            List<Load.Call> gw = sc.gateway().workers().apply(sc.workers());
            BenchProcess measured = sc.proxy() == null ? gatehouse : sc.proxy();
            // the /metrics read first: the gateway's CPU over the phase is the calls', not the harness's scrape
            double allocBefore = sc.proxy() == null ? allocatedBytes() : 0;
            double gwBefore = measured.cpuSeconds();
            double jitBefore = measured.jitCpuSeconds();
            Load.Result g = Load.run(gw, sc.callsPerWorker(), sc.ratePerWorker());
            long[] stealAfter = stealTicks();
            stealPerRound.add(stealShare(stealBefore, stealBetween) + "/" + stealShare(stealBetween, stealAfter));
            gatewayCpu += measured.cpuSeconds() - gwBefore;
            gatewayJit += measured.jitCpuSeconds() - jitBefore;
            alloc += sc.proxy() == null ? allocatedBytes() - allocBefore : 0;
            direct.add(d.latencyMicros());
            gateway.add(g.latencyMicros());
            perRound.add(String.format(Locale.ROOT, "%.2f×/%.2f×", ratio(g.latencyMicros(), d.latencyMicros(), 50),
                    ratio(g.latencyMicros(), d.latencyMicros(), 99)));
            directSeconds += d.seconds();
            gatewaySeconds += g.seconds();
            directCalls += d.calls();
            gatewayCalls += g.calls();
            errors += d.errors() + g.errors();
            firstError = firstError != null ? firstError : d.firstError() != null ? "direct: " + d.firstError()
                    : g.firstError() != null ? "gateway: " + g.firstError() : null;
        }
        if (sc.unit() != null && sc.proxy() == null && gatewayCpu > 0) {
            notes.add(String.format(Locale.ROOT, "%s: of the gateway's %.3f ms CPU per call, %.3f ms (%.0f%%) was the JIT compiling "
                    + "(C1 and C2 threads).", sc.name(),
                    gatewayCpu * 1000 / Math.max(1, gatewayCalls), gatewayJit * 1000 / Math.max(1, gatewayCalls),
                    gatewayJit * 100 / gatewayCpu));
        }
        if (sc.unit() != null && perRound.size() > 1) {
            // the table pools the rounds; how far the rounds' own ratios lie apart says how far to trust it
            notes.add(String.format(Locale.ROOT, "%s: p50/p99 ratio of each round: %s.", sc.name(), String.join(", ", perRound)));
        }
        if (sc.unit() != null && stealTicks() != null) {
            // a virtual machine's host can take its cores away for milliseconds: slow calls on both sides, unevenly
            notes.add(String.format(Locale.ROOT, "%s: CPU time the host took from this machine (steal), direct/Gatehouse phase of each round: %s.",
                    sc.name(), String.join(", ", stealPerRound)));
        }
        if (sc.unit() != null) {
            rows.add(new Row(sc.name(), sc.unit(), direct, gateway, directCalls / directSeconds, gatewayCalls / gatewaySeconds,
                    upstreamCpu * 1000 / Math.max(1, directCalls), gatewayCpu * 1000 / Math.max(1, gatewayCalls),
                    alloc / 1024 / Math.max(1, gatewayCalls), errors, firstError));
        } else if (errors > 0) {
            rows.add(new Row(sc.name(), "warm-up", direct, gateway, 0, 0, 0, 0, 0, errors, firstError));
        }
        if (firstError != null) {
            System.out.println("  errors: " + errors + ", first: " + firstError);
        }
    }

    /** Gatehouse's latency at {@code percentile} over the direct one; NaN when a side has no calls. */
    private static double ratio(Histogram gateway, Histogram direct, double percentile) {
        if (gateway.getTotalCount() == 0 || direct.getTotalCount() == 0) {
            return Double.NaN;
        }
        return (double) gateway.getValueAtPercentile(percentile) / direct.getValueAtPercentile(percentile);
    }

    /**
     * Waits (at most 60 s) until the gateway's JIT compiler threads use less than 2% of a core over a
     * second: what the warm-up queued for compilation is compiled before the reported phases, rather
     * than during the first of them.
     */
    private void jitQuiet(String after) throws InterruptedException {
        long t0 = System.nanoTime();
        double used;
        do {
            double before = gatehouse.jitCpuSeconds();
            Thread.sleep(1000);
            used = gatehouse.jitCpuSeconds() - before;
        } while (used >= 0.02 && System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos());
        String line = String.format(Locale.ROOT, "After the %s the gateway's JIT went quiet (under 2%% of a core) in %d s%s.", after,
                Duration.ofNanos(System.nanoTime() - t0).toSeconds(), used >= 0.02 ? " (it did not within 60 s; measured anyway)" : "");
        System.out.println(line);
        notes.add(line);
    }

    /**
     * {@code --idle=S}: the gateway's CPU with no traffic at all for S seconds after the warm-up
     * (scheduled reloads, timers, GC), per second, as a share of one core.
     */
    private void idleCpu(int seconds) throws InterruptedException {
        System.out.printf(Locale.ROOT, "idle: %d s without traffic%n", seconds);
        List<String> shares = new ArrayList<>();
        double total = 0;
        for (int i = 0; i < seconds; i++) {
            double before = gatehouse.cpuSeconds();
            Thread.sleep(1000);
            double used = gatehouse.cpuSeconds() - before;
            total += used;
            shares.add(String.format(Locale.ROOT, "%.0f%%", used * 100));
        }
        String line = String.format(Locale.ROOT, "Gatehouse idle after the warm-up, %d s without traffic: %.1f%% of a core "
                + "(per second: %s).", seconds, total * 100 / seconds, String.join(" ", shares));
        System.out.println(line);
        notes.add(line);
    }

    private static double cpu(List<BenchProcess> ps) {
        return ps.stream().mapToDouble(BenchProcess::cpuSeconds).sum();
    }

    // --- workers

    private static List<Load.Call> callers(int workers, String url, String bearer, boolean stateless, String tool, String text,
                                           String expect) {
        return callers(workers, url, bearer, stateless, tool, "text", text, expect);
    }

    /** Clients calling {@code tool} with one string argument named {@code argument}. */
    private static List<Load.Call> callers(int workers, String url, String bearer, boolean stateless, String tool, String argument,
                                           String text, String expect) {
        List<Load.Call> calls = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            BenchClient client = new BenchClient(url, bearer, stateless);
            client.initialize();
            calls.add(() -> client.call(tool, argument, text, expect));
        }
        return calls;
    }

    private static List<Load.Call> listers(int workers, String url, String bearer, int expect) {
        return listers(workers, url, bearer, false, expect);
    }

    private static List<Load.Call> listers(int workers, String url, String bearer, boolean stateless, int expect) {
        List<Load.Call> calls = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            BenchClient client = new BenchClient(url, bearer, stateless);
            client.initialize();
            client.listTools(expect);
            calls.add(() -> client.listTools(expect));
        }
        return calls;
    }

    private static List<Load.Call> sessionStarts(int workers, String url, String bearer, String tool) {
        List<Load.Call> calls = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            calls.add(() -> {
                BenchClient client = new BenchClient(url, bearer, false);
                try {
                    client.initialize();
                    client.call(tool, "hi", "hi");
                } finally {
                    client.close();
                }
            });
        }
        return calls;
    }

    /**
     * Memory per idle session: sessions with open GET streams, heap after a full GC before and
     * after; then, while they stay open, {@code beside}: small calls direct and through the
     * gateway (to compare with the small-call row run without them).
     */
    private void idleSessions(String url, String bearer, int count, Scenario beside) throws Exception {
        System.out.println("idle sessions: " + count + " sessions with open GET streams");
        long heapBefore = heapAfterGc();
        long rssBefore = gatehouse.rssBytes();
        List<BenchClient> clients = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>>> streams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BenchClient c = new BenchClient(url, bearer, false);
            c.initialize();
            c.call("a__echo", "x", "x");
            streams.add(c.openStream());
            clients.add(c);
        }
        Thread.sleep(2_000); // let every stream be attached and every upstream session settle
        long heapAfter = heapAfterGc();
        long rssAfter = gatehouse.rssBytes();
        double kbHeap = (heapAfter - heapBefore) / 1024.0 / count;
        double kbRss = (rssAfter - rssBefore) / 1024.0 / count;
        notes.add(String.format(Locale.ROOT, "Idle sessions: %d sessions, each with an open GET stream and its upstream session: "
                + "%.1f KB of live heap per session after a full GC (RSS grew %.1f KB per session).", count, kbHeap, kbRss));
        // a stream counts as open when its GET was answered 200 with an event stream (the body is never read)
        long attached = streams.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()
                && f.join().statusCode() == 200).count();
        runScenario(beside);
        notes.add(String.format(Locale.ROOT, "%s: %d of the %d sessions' GET streams were open (answered 200) when the calls began.",
                beside.name(), attached, count));
        streams.forEach(f -> f.cancel(true));
        for (BenchClient c : clients) {
            c.close();
        }
    }

    private long heapAfterGc() {
        gatehouse.jcmd("GC.run");
        String info = gatehouse.jcmd("GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        long used = 0;
        while (m.find()) {
            used += Long.parseLong(m.group(1)) * 1024;
            break; // the first "used" is the whole heap's
        }
        return used;
    }

    // --- processes and setup

    private BenchProcess upstream(String name, int port, String generation) throws Exception {
        BenchProcess p = BenchProcess.java(name, work.resolve(name + ".log"), FastUpstream.class.getName(), Integer.toString(port),
                generation, name);
        processes.add(p);
        waitForPort(port, name);
        return p;
    }

    /** Waits until a process listens on the loopback {@code port}. */
    private static void waitForPort(int port, String what) throws InterruptedException {
        waitFor(() -> {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return true;
            }
        }, what);
    }

    /**
     * {@code --aot[=DIR]}: the first calls after start of gateways started from bin/aot's layout
     * (DIR, default target/aot), without and with its AOT cache, each a fresh process set up as the
     * main one; the main gateway stays up meanwhile and is measured again afterwards.
     */
    private void aotColdStarts(int n, Side direct, String upstreamUrl) throws Exception {
        Path dir = Path.of(options.get("aot").equals("true") ? "target/aot" : options.get("aot")).toAbsolutePath();
        Path app = dir.resolve("app/gatehouse.jar");
        Path cache = dir.resolve("gatehouse.aot");
        if (!Files.isRegularFile(app) || !Files.isRegularFile(cache)) {
            throw new IllegalStateException("--aot: no " + app + " or " + cache + " (run bin/aot first)");
        }
        BenchProcess main = gatehouse;
        String mainBase = gatehouseBase;
        try {
            // -XX:AOTMode=on: a cache the JVM cannot use stops the start instead of measuring a start without it.
            for (List<String> flags : List.of(List.<String>of(), List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on"))) {
                String label = flags.isEmpty() ? "extracted, no AOT cache" : "extracted, AOT cache";
                startGatehouse(label, flags, app.toString());
                String gw = createGateway("bench-cold");
                assign(gw, createServer("fast-a", upstreamUrl), "a");
                String token = connect(gw);
                String url = gatehouseBase + "/gateway/v1/mcp?gateway=" + gw;
                runScenario(new Scenario("small call, first calls after start (" + label + ")", "call", 1, n / 4, 400, 0, direct,
                        new Side(w -> callers(w, url, token, false, "a__echo", "hello", "hello"), direct.upstreams())));
                gatehouse.close();
                processes.remove(gatehouse);
            }
        } finally {
            gatehouse = main;
            gatehouseBase = mainBase;
        }
    }

    private void startGatehouse() throws Exception {
        startGatehouse(null, List.of(), options.getOrDefault("jar", "target/gatehouse.jar"));
    }

    /** {@code label}: another gateway than the main one (its own data directory and log); {@code jar} as given to -jar. */
    private void startGatehouse(String label, List<String> flags, String jar) throws Exception {
        int port = freePort();
        String tag = label == null ? "" : "-" + label.replaceAll("[^a-zA-Z0-9]+", "-");
        Path data = work.resolve("data" + tag);
        deleteTree(data);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEHOUSE_PORT", Integer.toString(port));
        env.put("GATEHOUSE_DATA_DIR", data.toString());
        env.put("GATEHOUSE_ADMIN_TOKEN", ADMIN);
        List<String> cmd = new ArrayList<>(List.of(BenchProcess.javaBin()));
        String jvm = options.get("gateway-jvm");
        if (jvm != null) {
            cmd.addAll(List.of(jvm.split(" ")));
        }
        cmd.addAll(flags);
        cmd.addAll(List.of("-jar", jar));
        gatehouse = BenchProcess.start("gatehouse" + tag, cmd, env, work.resolve("gatehouse" + tag + ".log"));
        processes.add(gatehouse);
        gatehouseBase = "http://127.0.0.1:" + port;
        Instant t0 = Instant.now();
        waitFor(() -> admin.send(HttpRequest.newBuilder(URI.create(gatehouseBase + "/healthz")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200, "gatehouse");
        notes.add("Gatehouse" + (label == null ? "" : " (" + label + ")") + " started and answered /healthz in "
                + Duration.between(t0, Instant.now()).toMillis() + " ms.");
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(what + " did not come up within 300 s");
    }

    private JsonNode api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gatehouseBase + "/api/v1" + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = admin.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isBlank() ? null : Json.tree(r.body());
    }

    private String createServer(String name, String url) throws Exception {
        return api("POST", "/servers", "{\"name\":" + Json.string(name) + ",\"transport\":\"streamable-http\",\"url\":" + Json.string(url) + "}")
                .get("id").asString();
    }

    private String createGateway(String name) throws Exception {
        return api("POST", "/gateways", "{\"name\":" + Json.string(name) + "}").get("id").asString();
    }

    private void assign(String gateway, String server, String prefix) throws Exception {
        api("PUT", "/gateways/" + gateway + "/servers/" + server, "{\"identity\":\"shared\",\"prefix\":" + Json.string(prefix) + "}");
    }

    private String connect(String gateway) throws Exception {
        String host = api("POST", "/hosts", "{\"name\":\"bench-" + gateway + "\"}").get("id").asString();
        return api("POST", "/hosts/" + host + "/connections", "{\"gatewayId\":\"" + gateway + "\"}").get("token").asString();
    }

    /** Bytes the gateway JVM has allocated so far (Micrometer's jvm.gc.memory.allocated), or NaN. */
    private double allocatedBytes() {
        try {
            HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(gatehouseBase + "/metrics"))
                    .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("(?m)^jvm_gc_memory_allocated_bytes_total(?:\\{[^}]*\\})? ([0-9.eE+]+)").matcher(r.body());
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(x);
                }
            }
        }
    }

    // --- the report

    private String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Machine: %d cores, %s; Java %s; %d rounds A/B alternating; %s%n%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.version"), rounds, Instant.now()));
        sb.append("| scenario | direct p50 | Gatehouse p50 | added p50 | p50 ratio | direct p99 | Gatehouse p99 | p99 ratio "
                + "| throughput ratio | upstream CPU/call | Gatehouse CPU/call | CPU ratio | alloc/call | errors |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            double d50 = r.direct().getValueAtPercentile(50) / 1000.0;
            double g50 = r.gateway().getValueAtPercentile(50) / 1000.0;
            double d99 = r.direct().getValueAtPercentile(99) / 1000.0;
            double g99 = r.gateway().getValueAtPercentile(99) / 1000.0;
            sb.append(String.format(Locale.ROOT, "| %s | %.3f ms | %.3f ms | %+.0f µs | %.2f× | %.3f ms | %.3f ms | %.2f× | %s | %.3f ms | %.3f ms | %.1f× | %s | %d |%n",
                    r.scenario(), d50, g50, (g50 - d50) * 1000, g50 / d50, d99, g99, g99 / d99,
                    r.unit().equals("throughput") ? String.format(Locale.ROOT, "%.2f× (%.0f vs %.0f/s)", r.gatewayPerSecond() / r.directPerSecond(),
                            r.gatewayPerSecond(), r.directPerSecond()) : "",
                    r.upstreamCpuPerCallMs(), r.gatewayCpuPerCallMs(), r.gatewayCpuPerCallMs() / r.upstreamCpuPerCallMs(),
                    Double.isNaN(r.gatewayAllocKbPerCall()) ? "n/a" : String.format(Locale.ROOT, "%.1f KB", r.gatewayAllocKbPerCall()),
                    r.errors()));
        }
        sb.append('\n');
        for (String note : notes) {
            sb.append("- ").append(note).append('\n');
        }
        for (Row r : rows) {
            if (r.firstError() != null) {
                sb.append("- errors in '").append(r.scenario()).append("': ").append(r.firstError()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown CPU";
    }
}
