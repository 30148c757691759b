package gatehouse.admin.api;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.audit.AuditLog;
import gatehouse.audit.LogRecord;
import gatehouse.admin.tokens.AdminTokens;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Reading log records through the admin API: every filter, cursor paging, the per-gateway and
 * per-connection views, streamed exports with spreadsheet-safe cells. Shares its
 * Spring context with AdminApiTest (same annotations); names are unique per test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class LogsApiTest {
    private static final String TOKEN = "gha_logs-api-test-token-0123456789abcdefghijklmnopqrstuvwxyz";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    @Autowired AuditLog auditLog;

    @BeforeEach
    void token() {
        adminTokens.ensure(TOKEN, "logs-api-test");
    }

    private static LogRecord rec(Instant t, String gw, String conn, String user, String host, String tool, String status,
                                 String decisions) {
        return new LogRecord(t, "1", "s", conn, gw, "srv-" + tool, user, "client", "request", "tools/call", tool, 2.0, status,
                null, null, decisions, Json.tree("{\"a\":1}"), null).withClient(host, "client-x", "1.2.3");
    }

    @Test
    void everyFilterReturnsExactlyItsRecords() {
        String gw = unique("filters");
        Instant t0 = Instant.parse("2026-07-01T00:00:00Z");
        auditLog.record(rec(t0, gw, "c1", "u1", null, "search", "ok", null));
        auditLog.record(rec(t0.plusSeconds(1), gw, "c2", null, "h2", "fetch", "error", null));
        auditLog.record(rec(t0.plusSeconds(2), gw, "c1", "u1", null, "fetch", "denied",
                "[{\"step\":\"rules\",\"action\":\"deny\",\"details\":{\"rule\":\"r1\"}}]"));
        auditLog.record(rec(t0.plusSeconds(3), gw, "c2", null, "h2", "search", "ok",
                "[{\"step\":\"rules\",\"action\":\"redact\",\"details\":{}}]"));
        auditLog.awaitQueuedWritten(Duration.ofSeconds(30));

        assertThat(tools("gateway=" + gw)).containsExactly("search", "fetch", "fetch", "search");
        assertThat(times("gateway=" + gw + "&connection=c1")).containsExactly(t0.plusSeconds(2), t0);
        assertThat(times("gateway=" + gw + "&user=u1")).containsExactly(t0.plusSeconds(2), t0);
        assertThat(times("gateway=" + gw + "&host=h2")).containsExactly(t0.plusSeconds(3), t0.plusSeconds(1));
        assertThat(times("gateway=" + gw + "&server=srv-fetch")).containsExactly(t0.plusSeconds(2), t0.plusSeconds(1));
        assertThat(times("gateway=" + gw + "&tool=search&connection=c2")).containsExactly(t0.plusSeconds(3));
        assertThat(times("gateway=" + gw + "&method=tools/call")).hasSize(4);
        assertThat(times("gateway=" + gw + "&method=tools/list")).isEmpty();
        assertThat(times("gateway=" + gw + "&status=error")).containsExactly(t0.plusSeconds(1));
        assertThat(times("gateway=" + gw + "&decision=deny")).containsExactly(t0.plusSeconds(2));
        assertThat(times("gateway=" + gw + "&decision=rules")).containsExactly(t0.plusSeconds(3), t0.plusSeconds(2));
        assertThat(times("gateway=" + gw + "&decision=any")).hasSize(2);
        assertThat(times("gateway=" + gw + "&from=2026-07-01T00:00:01Z&to=2026-07-01T00:00:03Z"))
                .containsExactly(t0.plusSeconds(2), t0.plusSeconds(1));
        JsonNode first = get("/logs?gateway=" + gw + "&limit=1").json().get(0);
        assertThat(first.path("clientName").asString()).isEqualTo("client-x");
        assertThat(first.path("clientVersion").asString()).isEqualTo("1.2.3");
        assertThat(first.path("hostId").asString()).isEqualTo("h2");
        assertThat(first.path("decisions").get(0).path("action").asString()).isEqualTo("redact");
        assertThat(get("/logs?decision=" + enc("x' OR 1=1")).status()).isEqualTo(400);
        assertThat(get("/logs?limit=0").status()).isEqualTo(400);
        assertThat(get("/logs?cursor=nonsense").status()).isEqualTo(400);
    }

    @Test
    void aCursorPagesThroughEveryRecordOnceNewestFirst() {
        String gw = unique("paging");
        Instant t0 = Instant.parse("2026-07-02T00:00:00Z");
        for (int i = 0; i < 250; i++) {
            // pairs of records share a time stamp, so the cursor must also order by id
            auditLog.record(rec(t0.plusSeconds(i / 2), gw, "c", null, null, "t" + i, "ok", null));
        }
        auditLog.awaitQueuedWritten(Duration.ofSeconds(30));
        List<String> seen = new ArrayList<>();
        String path = "/logs?gateway=" + gw + "&limit=40";
        int pages = 0;
        while (path != null && pages++ < 20) {
            Answer a = get(path);
            a.json().forEach(r -> seen.add(r.path("tool").asString()));
            String cursor = a.header(LogsController.NEXT_CURSOR);
            assertThat(a.header("Link") == null).isEqualTo(cursor == null);
            path = cursor == null ? null : "/logs?gateway=" + gw + "&limit=40&cursor=" + cursor;
        }
        assertThat(pages).isEqualTo(7);
        assertThat(seen).hasSize(250).doesNotHaveDuplicates();
        assertThat(seen.getFirst()).isEqualTo("t249");
        assertThat(seen.getLast()).isEqualTo("t0");
    }

    @Test
    void gatewayAndConnectionViewsShowOnlyTheirOwn() {
        AdminClient admin = new AdminClient("http://127.0.0.1:" + port, TOKEN);
        String gwA = admin.createGateway(unique("view-a"));
        String gwB = admin.createGateway(unique("view-b"));
        AdminClient.Connection a1 = admin.connect(gwA);
        AdminClient.Connection b1 = admin.connect(gwB);
        Instant t0 = Instant.parse("2026-07-03T00:00:00Z");
        auditLog.record(rec(t0, gwA, a1.id(), null, null, "x", "ok", null));
        auditLog.record(rec(t0.plusSeconds(1), gwB, b1.id(), null, null, "y", "ok", null));
        auditLog.record(rec(t0.plusSeconds(2), gwA, a1.id(), null, null, "z", "ok", null));
        auditLog.awaitQueuedWritten(Duration.ofSeconds(30));
        assertThat(toolsAt("/gateways/" + gwA + "/logs")).containsExactly("z", "x");
        assertThat(toolsAt("/connections/" + b1.id() + "/logs")).containsExactly("y");
        assertThat(toolsAt("/gateways/" + gwA + "/logs?connection=" + b1.id())).isEmpty();
        assertThat(get("/gateways/gw_missing/logs").status()).isEqualTo(404);
        assertThat(get("/connections/conn_missing/logs").status()).isEqualTo(404);
    }

    @Test
    void exportsStreamEveryMatchAndCellsCannotBecomeFormulas() throws IOException {
        String gw = unique("export");
        Instant t0 = Instant.parse("2026-07-04T00:00:00Z");
        int n = 3_000;
        for (int i = 0; i < n; i++) {
            auditLog.record(rec(t0.plusMillis(i), gw, "c", null, null, i == 7 ? "=HYPERLINK(\"http://x\",\"y\")" : i == 8 ? "@cmd\r" : "t" + i,
                    "ok", null));
        }
        auditLog.awaitQueuedWritten(Duration.ofSeconds(30));

        // CSV: read as a stream, line by line, as a spreadsheet import would
        HttpResponse<InputStream> csv = stream("/logs?gateway=" + gw + "&format=csv");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(csv.body(), StandardCharsets.UTF_8))) {
            StringBuilder record = new StringBuilder();
            int c;
            boolean quoted = false;
            while ((c = r.read()) != -1) {
                // RFC 4180: CRLF ends a record only outside quotes
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == '\n' && !quoted && !record.isEmpty() && record.charAt(record.length() - 1) == '\r') {
                    record.setLength(record.length() - 1);
                    lines.add(record.toString());
                    record.setLength(0);
                    continue;
                }
                record.append((char) c);
            }
        }
        assertThat(lines).hasSize(n + 1);
        List<String> header = List.of(lines.getFirst().split(","));
        int tool = header.indexOf("tool");
        Set<String> tools = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String cell = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1)[tool];
            tools.add(cell);
            assertThat(cell).doesNotStartWith("=").doesNotStartWith("@").doesNotStartWith("\"=").doesNotStartWith("\"@");
        }
        assertThat(tools).hasSize(n).contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", "\"'@cmd\r\"", "t0", "t2999");

        HttpResponse<InputStream> jsonl = stream("/logs?gateway=" + gw + "&format=jsonl");
        long count;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(jsonl.body(), StandardCharsets.UTF_8))) {
            count = r.lines().map(Json::tree).filter(j -> j.path("gatewayId").asString().equals(gw)).count();
        }
        assertThat(count).isEqualTo(n);
    }

    // --- helpers

    record Answer(int status, HttpResponse<String> response) {
        Answer withResponse(HttpResponse<String> r) {
            return new Answer(r.statusCode(), r);
        }

        JsonNode json() {
            return Json.tree(response.body());
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    private List<String> tools(String query) {
        return toolsAt("/logs?" + query);
    }

    private List<String> toolsAt(String path) {
        Answer a = get(path);
        assertThat(a.status()).as(a.response().body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        a.json().forEach(r -> out.add(r.path("tool").asString()));
        return out;
    }

    private List<Instant> times(String query) {
        Answer a = get("/logs?" + query);
        assertThat(a.status()).as(a.response().body()).isEqualTo(200);
        List<Instant> out = new ArrayList<>();
        a.json().forEach(r -> out.add(Instant.parse(r.path("time").asString())));
        return out;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1" + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TOKEN).GET().build();
    }

    private Answer get(String path) {
        try {
            return new Answer(0, null).withResponse(HTTP.send(request(path), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<InputStream> stream(String path) {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
