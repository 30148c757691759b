package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.audit.AuditLog;
import gatehouse.audit.LogRecord;
import gatehouse.platform.Json;

/**
 * The Logging tab over real HTTP, on records written by the real audit writer: filters, paging, the
 * live tail, exports, per-tool figures; another gateway's log answers like a missing gateway, and a
 * person without {@code gateway.logs} is refused.
 */
class GatewayLogsPageTest extends ConsoleWorld {
    private static final Pattern LOG_ID = Pattern.compile("data-log-id=\"(\\d+)\"");

    @Autowired AuditLog auditLog;

    LogRecord rec(Instant t, String gw, String tool, String status, String decisions) {
        return new LogRecord(t, "1", "s", "conn", gw, null, null, "client", "request", "tools/call", tool, 12.5, status,
                status.equals("ok") ? null : -32000, status.equals("ok") ? null : "upstream said <no>", decisions, Json.tree("{\"a\":1}"), null);
    }

    void write(LogRecord... records) {
        for (LogRecord r : records) {
            auditLog.record(r);
        }
        auditLog.awaitQueuedWritten(Duration.ofSeconds(60));
    }

    static long newestId(String body) {
        Matcher m = LOG_ID.matcher(body);
        long max = 0;
        while (m.find()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
        }
        return max;
    }

    @Test
    void filtersTailExportsAndFiguresOfTheirGateway() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String hostile = "=cmd" + HOSTILE;
        String theirs = unique("secret-tool");
        write(rec(now.minusSeconds(30), gwA, "search", "ok", null),
                rec(now.minusSeconds(20), gwA, hostile, "error", "[{\"step\":\"rules\",\"action\":\"redact\",\"details\":{\"rule\":\"r1\"}}]"),
                rec(now.minusSeconds(10), gwB, theirs, "ok", null));
        ConsoleSession dana = person("role_gateway_admin", gwA);
        String tab = "/console/gateways/" + gwA + "/logs";

        ConsoleSession.Page page = dana.get(tab);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains(">search<", "=cmd&lt;img src=x onerror=alert(1)&gt;", "upstream said &lt;no&gt;", "&quot;step&quot; : &quot;rules&quot;",
                "id=\"per-tool\"", "rules: redact (r1)", "data-activity=\"/console/gateways/" + gwA + "/activity\"").doesNotContain("<img src=x").doesNotContain(theirs);

        String errorsOnly = dana.get(tab + "?range=1h&status=error").body();
        assertThat(errorsOnly).contains("=cmd&lt;img").doesNotContain(">search<");
        assertThat(dana.get(tab + "?decision=rules").body()).contains("=cmd&lt;img").doesNotContain(">search<");
        assertThat(dana.get(tab + "?tool=search").body()).contains(">search<").doesNotContain("=cmd&lt;img");

        // exports, as the API writes them: formulas neutralized in CSV, one JSON object per line
        ConsoleSession.Page csv = dana.get(tab + "/export?format=csv&status=error");
        assertThat(csv.status()).isEqualTo(200);
        List<String> csvLines = csv.body().lines().toList();
        assertThat(csvLines).hasSize(2);
        assertThat(csvLines.get(0)).startsWith("time,connectionId,gatewayId");
        assertThat(csvLines.get(1)).contains("'=cmd<img");
        List<String> jsonl = dana.get(tab + "/export?format=jsonl").body().lines().toList();
        assertThat(jsonl).hasSize(2).allSatisfy(l -> assertThat(Json.tree(l).path("gatewayId").asString()).isEqualTo(gwA));

        // the live tail: the page polls from the newest record; a new call comes back, nothing older does
        ConsoleSession.Page live = dana.get(tab + "?live=true");
        long newest = newestId(live.body());
        assertThat(live.body()).contains("id=\"tail-marker\"", "hx-trigger=\"every 3s\"", "after=" + newest);
        ConsoleSession.Page quiet = dana.get(tab + "/tail?range=24h&after=" + newest);
        assertThat(quiet.body()).contains("id=\"tail-marker\"").doesNotContain("data-log-id");
        write(rec(Instant.now(), gwA, "fresh-call", "ok", null), rec(Instant.now(), gwB, theirs, "ok", null));
        ConsoleSession.Page fresh = dana.get(tab + "/tail?range=24h&after=" + newest);
        assertThat(fresh.body()).contains(">fresh-call<").doesNotContain(theirs).doesNotContain("=cmd&lt;img").contains("after=" + newestId(fresh.body()));
        assertThat(newestId(fresh.body())).isGreaterThan(newest);

        // another gateway: like a missing one, for the page, the tail and the export
        ConsoleSession.Page other = dana.get("/console/gateways/" + gwB + "/logs");
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.withoutTokens()).isEqualTo(dana.get("/console/gateways/gw_doesnotexist/logs").withoutTokens().replace("gw_doesnotexist", gwB));
        assertThat(dana.get("/console/gateways/" + gwB + "/logs/tail?after=0").status()).isEqualTo(404);
        ConsoleSession.Page otherExport = dana.get("/console/gateways/" + gwB + "/logs/export?format=csv");
        assertThat(otherExport.status()).isEqualTo(404);
        assertThat(otherExport.body()).doesNotContain(theirs);
    }

    /** The log table's rows alone (the per-tool table names every tool of the period). */
    static String rows(String body) {
        return body.substring(body.indexOf("id=\"log-rows\""), body.indexOf("</tbody>", body.indexOf("id=\"log-rows\"")));
    }

    @Test
    void pagesOlderCallsAndExplainsAnEmptyLog() {
        ConsoleSession owner = person("role_owner", null);
        String tab = "/console/gateways/" + gwA + "/logs";
        assertThat(owner.get(tab).body()).contains("No calls match", "Nobody is connected yet");

        Instant t0 = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
        LogRecord[] many = new LogRecord[60];
        for (int i = 0; i < many.length; i++) {
            many[i] = rec(t0.plusMillis(i), gwA, "t" + i, "ok", null);
        }
        write(many);
        String first = rows(owner.get(tab).body());
        assertThat(first).contains(">t59<").doesNotContain(">t9<");
        Matcher older = Pattern.compile("id=\"older\" href=\"([^\"]+)\"").matcher(owner.get(tab).body());
        assertThat(older.find()).isTrue();
        String second = rows(owner.get(older.group(1).replace("&amp;", "&")).body());
        assertThat(second).contains(">t9<", ">t0<").doesNotContain(">t59<");
    }

    @Test
    void aPersonWithoutTheLogsPermissionIsRefused() {
        String role = admin.expect(201, "POST", "/roles", Map.of("name", unique("reader"), "permissions", List.of("gateway.read"))).path("id").asString();
        ConsoleSession reader = person(role, gwA);
        assertThat(reader.get("/console/gateways/" + gwA).body()).doesNotContain("/logs\"");
        assertThat(reader.get("/console/gateways/" + gwA + "/logs").status()).isEqualTo(403);
        assertThat(reader.get("/console/gateways/" + gwA + "/logs/export?format=csv").status()).isEqualTo(403);
    }
}
