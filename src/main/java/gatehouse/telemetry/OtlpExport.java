package gatehouse.telemetry;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import gatehouse.audit.LogRecordListener;
import gatehouse.audit.StoredRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

/**
 * OTLP export of every log record, as an OpenTelemetry log record and a span (kind server, named
 * after the MCP method and tool, with a client child span for the upstream's share), with the
 * MCP/GenAI semantic-convention attributes ({@code mcp.method.name}, {@code gen_ai.tool.name},
 * {@code mcp.session.id}, token usage). Switched on by the standard variables
 * ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_PROTOCOL}, {@code OTEL_SERVICE_NAME},
 * …) through the SDK's autoconfiguration; default protocol http/protobuf, no metrics export
 * (Prometheus serves those). Spans are made after the fact from the record's times, so no trace
 * context reaches upstreams yet.
 */
@Component
class OtlpExport implements LogRecordListener, DisposableBean {
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(OtlpExport.class);

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final Logger logger;

    OtlpExport() {
        this(enabled(System.getenv()) ? Map.of() : null);
    }

    /** {@code config}: OpenTelemetry properties on top of the environment; null switches export off. */
    OtlpExport(Map<String, String> config) {
        if (config == null) {
            sdk = null;
            tracer = null;
            logger = null;
            return;
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "gatehouse");
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        defaults.put("otel.metrics.exporter", "none");
        sdk = AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> defaults)
                .addPropertiesSupplier(() -> config).build().getOpenTelemetrySdk();
        tracer = sdk.getTracer("gatehouse");
        logger = sdk.getLogsBridge().get("gatehouse");
        log.info("OpenTelemetry export of traces and log records is on");
    }

    static boolean enabled(Map<String, String> env) {
        return !"true".equalsIgnoreCase(env.get("OTEL_SDK_DISABLED"))
                && (env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                        || env.containsKey("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"));
    }

    @Override
    public void recorded(StoredRecord r) {
        if (sdk == null) {
            return;
        }
        Instant end = r.time();
        Instant start = end.minusNanos((long) (r.durationMs() * 1_000_000));
        AttributesBuilder a = Attributes.builder();
        put(a, "mcp.method.name", r.method());
        put(a, "gen_ai.tool.name", r.method() != null && r.method().equals("tools/call") ? r.tool() : null);
        put(a, "gen_ai.operation.name", r.method() != null && r.method().equals("tools/call") ? "execute_tool" : null);
        put(a, "mcp.session.id", r.sessionId());
        put(a, "jsonrpc.request.id", r.correlationId());
        put(a, "gatehouse.gateway.id", r.gatewayId());
        put(a, "gatehouse.server.id", r.serverId());
        put(a, "gatehouse.connection.id", r.connectionId());
        put(a, "gatehouse.status", r.status());
        put(a, "client.name", r.clientName());
        if (r.inputTokens() != null) {
            a.put(AttributeKey.longKey("gen_ai.usage.input_tokens"), r.inputTokens());
        }
        if (r.outputTokens() != null) {
            a.put(AttributeKey.longKey("gen_ai.usage.output_tokens"), r.outputTokens());
        }
        if (r.errorCode() != null) {
            a.put(AttributeKey.stringKey("rpc.jsonrpc.error_code"), r.errorCode().toString());
        }
        Attributes attributes = a.build();
        String name = r.method() == null ? "mcp" : r.tool() == null ? r.method() : r.method() + " " + r.tool();
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).setStartTimestamp(start).setAllAttributes(attributes)
                .startSpan();
        if (r.upstreamMs() != null && r.serverId() != null) {
            Span up = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(span))
                    .setStartTimestamp(start).setAttribute("gatehouse.server.id", r.serverId()).startSpan();
            up.end(start.plusNanos((long) (r.upstreamMs() * 1_000_000)));
        }
        boolean failed = "error".equals(r.status()) || "denied".equals(r.status()) || "rejected".equals(r.status());
        if (failed) {
            span.setStatus(StatusCode.ERROR, r.errorMessage() == null ? r.status() : r.errorMessage());
        }
        span.end(end);
        logger.logRecordBuilder().setTimestamp(end).setContext(Context.root().with(span))
                .setSeverity(failed ? Severity.WARN : Severity.INFO).setBody(name + " " + r.status()).setAllAttributes(attributes).emit();
    }

    private static void put(AttributesBuilder a, String key, String value) {
        if (value != null) {
            a.put(AttributeKey.stringKey(key), value);
        }
    }

    /** Sends what is buffered (tests, shutdown). */
    void flush() {
        if (sdk != null) {
            sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
            sdk.getSdkLoggerProvider().forceFlush().join(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void destroy() {
        if (sdk != null) {
            flush();
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
