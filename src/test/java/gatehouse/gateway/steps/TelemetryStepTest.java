package gatehouse.gateway.steps;

import static gatehouse.testing.OtlpReceiver.attr;
import static gatehouse.testing.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import gatehouse.telemetry.Tracing;
import gatehouse.testing.OtlpReceiver;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * The telemetry step on its own: a client's W3C trace context is continued by a live server span,
 * the upstream gets the context of a client span under it, spans reach an OTLP receiver, and with
 * OpenTelemetry off the client's context passes through unchanged.
 */
class TelemetryStepTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String CLIENT_PARENT = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";

    private static Exchange exchange(Map<String, String> headers) {
        Exchange x = new Exchange(System.nanoTime(), null, Exchange.Generation.SESSION, "tools/call",
                JsonRpc.request(1L, "tools/call", Json.object()));
        x.headers(name -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null));
        x.target("tools", "fx__echo");
        return x;
    }

    @Test
    void withoutOpenTelemetryTheClientsContextPassesThroughUnchanged() {
        TelemetryStep step = new TelemetryStep(new Tracing((Map<String, String>) null));
        Exchange x = exchange(Map.of("traceparent", CLIENT_PARENT, "tracestate", "vendor=1"));
        step.beforeRouting(x);
        step.beforeUpstream(x);
        step.afterUpstream(x);
        step.onComplete(x);
        assertThat(x.upstreamHeaders()).isEqualTo(Map.of("traceparent", CLIENT_PARENT, "tracestate", "vendor=1"));
        assertThat((String) x.attribute(TelemetryStep.TRACE_ID)).isNull();
    }

    @Test
    void withoutOpenTelemetryOrAClientContextNothingIsAdded() {
        TelemetryStep step = new TelemetryStep(new Tracing((Map<String, String>) null));
        Exchange x = exchange(Map.of());
        step.beforeRouting(x);
        step.beforeUpstream(x);
        assertThat(x.upstreamHeaders()).isEmpty();
    }

    @Test
    void liveSpansContinueTheClientsTraceAndTheUpstreamGetsTheClientSpansContext() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Tracing tracing = new Tracing(Map.of("otel.exporter.otlp.endpoint", receiver.endpoint(), "otel.bsp.schedule.delay", "100"));
            String upstream;
            Exchange x = exchange(Map.of("traceparent", CLIENT_PARENT));
            try {
                TelemetryStep step = new TelemetryStep(tracing);
                step.beforeRouting(x);
                step.beforeUpstream(x);
                upstream = x.upstreamHeaders().get("traceparent");
                // the span is live: the upstream's context exists before the exchange has ended
                assertThat(upstream).matches("00-" + CLIENT_TRACE + "-[0-9a-f]{16}-01");
                x.status("ok");
                step.afterUpstream(x);
                step.onComplete(x);
                tracing.flush();
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.spans().size() == 2);
            } finally {
                tracing.destroy();
            }
            Span server = receiver.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
            Span client = receiver.spans().stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
            assertThat(hex(server.getTraceId())).isEqualTo(CLIENT_TRACE);
            assertThat(hex(server.getParentSpanId())).isEqualTo(CLIENT_SPAN);
            assertThat(server.getName()).isEqualTo("tools/call fx__echo");
            assertThat(attr(server.getAttributesList(), "gen_ai.tool.name")).isEqualTo("fx__echo");
            assertThat(attr(server.getAttributesList(), "gatehouse.status")).isEqualTo("ok");
            assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
            assertThat(upstream).isEqualTo("00-" + CLIENT_TRACE + "-" + hex(client.getSpanId()) + "-01");
            assertThat((String) x.attribute(TelemetryStep.SPAN_ID)).isEqualTo(hex(server.getSpanId()));
        }
    }

    @Test
    void aMalformedClientContextStartsANewTrace() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Tracing tracing = new Tracing(Map.of("otel.exporter.otlp.endpoint", receiver.endpoint()));
            try {
                TelemetryStep step = new TelemetryStep(tracing);
                Exchange x = exchange(Map.of("traceparent", "00-not-a-trace-01"));
                step.beforeRouting(x);
                step.beforeUpstream(x);
                assertThat(x.upstreamHeaders().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                        .doesNotContain("not-a-trace");
                step.onComplete(x);
            } finally {
                tracing.destroy();
            }
        }
    }
}
