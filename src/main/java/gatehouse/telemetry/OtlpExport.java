package gatehouse.telemetry;

import java.time.Instant;

import org.springframework.stereotype.Component;

import gatehouse.audit.LogRecordListener;
import gatehouse.audit.StoredRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * OTLP export of every log record as an OpenTelemetry log record with the MCP/GenAI
 * semantic-convention attributes ({@code mcp.method.name}, {@code gen_ai.tool.name},
 * {@code mcp.session.id}, token usage). A record whose exchange had a live span (the pipeline's
 * telemetry step) carries its trace and span id, and the log record joins that span. A record
 * without one (a request refused before the pipeline's steps ran) gets its spans here, after the
 * fact, from the record's times: a server span named after method and tool, with a client child
 * span for the upstream's share.
 */
@Component
class OtlpExport implements LogRecordListener {
    private final Tracing tracing;

    OtlpExport(Tracing tracing) {
        this.tracing = tracing;
    }

    @Override
    public void recorded(StoredRecord r) {
        if (!tracing.on()) {
            return;
        }
        Tracer tracer = tracing.tracer();
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
        boolean failed = "error".equals(r.status()) || "denied".equals(r.status()) || "rejected".equals(r.status());
        if (r.traceId() != null && r.spanId() != null) {
            SpanContext live = SpanContext.create(r.traceId(), r.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
            if (live.isValid()) {
                tracing.logger().logRecordBuilder().setTimestamp(end).setContext(Context.root().with(Span.wrap(live)))
                        .setSeverity(failed ? Severity.WARN : Severity.INFO).setBody(name + " " + r.status()).setAllAttributes(attributes).emit();
                return;
            }
        }
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).setStartTimestamp(start).setAllAttributes(attributes)
                .startSpan();
        if (r.upstreamMs() != null && r.serverId() != null) {
            Span up = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(span))
                    .setStartTimestamp(start).setAttribute("gatehouse.server.id", r.serverId()).startSpan();
            up.end(start.plusNanos((long) (r.upstreamMs() * 1_000_000)));
        }
        if (failed) {
            span.setStatus(StatusCode.ERROR, r.errorMessage() == null ? r.status() : r.errorMessage());
        }
        span.end(end);
        tracing.logger().logRecordBuilder().setTimestamp(end).setContext(Context.root().with(span))
                .setSeverity(failed ? Severity.WARN : Severity.INFO).setBody(name + " " + r.status()).setAllAttributes(attributes).emit();
    }

    private static void put(AttributesBuilder a, String key, String value) {
        if (value != null) {
            a.put(AttributeKey.stringKey(key), value);
        }
    }
}
