package gatehouse.telemetry;

import static gatehouse.testing.OtlpReceiver.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.audit.StoredRecord;
import gatehouse.testing.OtlpReceiver;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * OTLP over http/protobuf to a receiver on loopback that decodes what it gets (the official
 * protobuf messages): spans and log records carry the tool name, method and session per the
 * semantic conventions, with an upstream child span; a record of a live span only joins it.
 */
class OtlpExportTest {

    private static Tracing tracing(OtlpReceiver receiver) {
        return new Tracing(Map.of("otel.exporter.otlp.endpoint", receiver.endpoint(), "otel.bsp.schedule.delay", "100",
                "otel.blrp.schedule.delay", "100"));
    }

    private static StoredRecord record(String traceId, String spanId) {
        return new StoredRecord(Instant.now(), "7", "sess-1", "conn-1", "gw-1", "srv-1", null, null, "client", "request",
                "tools/call", "files__read_file", 12.5, 8.0, 10, 20, 30, "ok", null, null, "[]", "cli", "1.0", traceId, spanId);
    }

    @Test
    void aReceiverDecodesSpansAndLogRecordsNamingTheTool() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Tracing tracing = tracing(receiver);
            try {
                new OtlpExport(tracing).recorded(record(null, null));
                tracing.flush();
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.spans().size() == 2 && receiver.logs().size() == 1);
            } finally {
                tracing.destroy();
            }
            Span server = receiver.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
            Span upstream = receiver.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
            assertThat(server.getName()).isEqualTo("tools/call files__read_file");
            assertThat(attr(server.getAttributesList(), "gen_ai.tool.name")).isEqualTo("files__read_file");
            assertThat(attr(server.getAttributesList(), "mcp.method.name")).isEqualTo("tools/call");
            assertThat(attr(server.getAttributesList(), "mcp.session.id")).isEqualTo("sess-1");
            assertThat(upstream.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(upstream.getTraceId()).isEqualTo(server.getTraceId());
            assertThat(server.getEndTimeUnixNano() - server.getStartTimeUnixNano()).isEqualTo(12_500_000L);
            LogRecord record = receiver.logs().getFirst();
            assertThat(attr(record.getAttributesList(), "gen_ai.tool.name")).isEqualTo("files__read_file");
            assertThat(record.getTraceId()).isEqualTo(server.getTraceId());
        }
    }

    @Test
    void aRecordOfALiveSpanJoinsItInsteadOfMakingSpans() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String spanId = "00f067aa0ba902b7";
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Tracing tracing = tracing(receiver);
            try {
                new OtlpExport(tracing).recorded(record(traceId, spanId));
                tracing.flush();
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.logs().size() == 1);
            } finally {
                tracing.destroy();
            }
            LogRecord record = receiver.logs().getFirst();
            assertThat(OtlpReceiver.hex(record.getTraceId())).isEqualTo(traceId);
            assertThat(OtlpReceiver.hex(record.getSpanId())).isEqualTo(spanId);
            assertThat(record.getAttributesList()).anySatisfy(kv -> {
                assertThat(kv.getKey()).isEqualTo("gen_ai.usage.output_tokens");
                assertThat(kv.getValue().getIntValue()).isEqualTo(20);
            });
            assertThat(receiver.spans()).isEmpty();
        }
    }
}
