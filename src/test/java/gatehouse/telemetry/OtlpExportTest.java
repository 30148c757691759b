package gatehouse.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.audit.StoredRecord;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * OTLP over http/protobuf to a receiver on loopback that decodes what it gets (the official
 * protobuf messages): spans and log records carry the tool name, method and session per the
 * semantic conventions, with an upstream child span.
 */
class OtlpExportTest {

    @Test
    void aReceiverDecodesSpansAndLogRecordsNamingTheTool() throws Exception {
        List<Span> spans = new CopyOnWriteArrayList<>();
        List<LogRecord> logs = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", ex -> {
            ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes()).getResourceSpansList()
                    .forEach(rs -> rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList())));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.createContext("/v1/logs", ex -> {
            ExportLogsServiceRequest.parseFrom(ex.getRequestBody().readAllBytes()).getResourceLogsList()
                    .forEach(rl -> rl.getScopeLogsList().forEach(sl -> logs.addAll(sl.getLogRecordsList())));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        OtlpExport export = new OtlpExport(Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "otel.bsp.schedule.delay", "100", "otel.blrp.schedule.delay", "100"));
        try {
            export.recorded(new StoredRecord(Instant.now(), "7", "sess-1", "conn-1", "gw-1", "srv-1", null, null, "client", "request",
                    "tools/call", "files__read_file", 12.5, 8.0, 10, 20, 30, "ok", null, null, "[]", "cli", "1.0", null));
            export.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> spans.size() == 2 && logs.size() == 1);
        } finally {
            export.destroy();
            receiver.stop(0);
        }
        Span server = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        Span upstream = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
        assertThat(server.getName()).isEqualTo("tools/call files__read_file");
        assertThat(attr(server.getAttributesList(), "gen_ai.tool.name")).isEqualTo("files__read_file");
        assertThat(attr(server.getAttributesList(), "mcp.method.name")).isEqualTo("tools/call");
        assertThat(attr(server.getAttributesList(), "mcp.session.id")).isEqualTo("sess-1");
        assertThat(upstream.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(upstream.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(server.getEndTimeUnixNano() - server.getStartTimeUnixNano()).isEqualTo(12_500_000L);
        LogRecord record = logs.getFirst();
        assertThat(attr(record.getAttributesList(), "gen_ai.tool.name")).isEqualTo("files__read_file");
        assertThat(record.getTraceId()).isEqualTo(server.getTraceId());
    }

    private static String attr(List<KeyValue> attributes, String key) {
        return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue()).findFirst().orElse(null);
    }
}
