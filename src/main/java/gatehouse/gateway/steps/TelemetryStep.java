package gatehouse.gateway.steps;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.telemetry.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * Live trace context for every client request: a server span from the moment the request is
 * known (continuing the client's W3C {@code traceparent} when it sends one), a client span for the
 * call to the upstream whose context goes to HTTP upstreams as {@code traceparent}, both ended when
 * the exchange ends, and the span's ids handed to the log record so its exported copy joins the
 * trace. With OpenTelemetry off nothing is recorded, and a client's {@code traceparent} and
 * {@code tracestate} are passed to HTTP upstreams unchanged, so a trace that passes through the
 * gateway stays whole.
 */
@Component
public class TelemetryStep implements Step {
    static final String SERVER_SPAN = "telemetry.server-span";
    static final String CLIENT_SPAN = "telemetry.client-span";
    /** Attribute keys the audit step reads to put the exchange's record into its trace. */
    public static final String TRACE_ID = "telemetry.trace-id";
    public static final String SPAN_ID = "telemetry.span-id";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Exchange> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Exchange x) {
            return java.util.List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Exchange x, String key) {
            return x == null ? null : x.header(key);
        }
    };

    private final Tracing tracing;

    public TelemetryStep(Tracing tracing) {
        this.tracing = tracing;
    }

    @Override
    public String name() {
        return "telemetry";
    }

    @Override
    public Verdict beforeRouting(Exchange x) {
        if (tracing.on()) {
            Context parent = W3C.extract(Context.root(), x, HEADERS);
            long startedAgoNanos = System.nanoTime() - x.startedNanos();
            Span span = tracing.tracer().spanBuilder(spanName(x)).setParent(parent).setSpanKind(SpanKind.SERVER)
                    .setStartTimestamp(Instant.now().minusNanos(startedAgoNanos)).startSpan();
            put(span, "mcp.method.name", x.method());
            put(span, "mcp.session.id", x.sessionId());
            put(span, "jsonrpc.request.id", x.correlationId());
            if (x.caller() != null) {
                put(span, "gatehouse.gateway.id", x.caller().gatewayId());
                put(span, "gatehouse.connection.id", x.caller().connectionId());
            }
            x.attribute(SERVER_SPAN, span);
            x.attribute(TRACE_ID, span.getSpanContext().getTraceId());
            x.attribute(SPAN_ID, span.getSpanContext().getSpanId());
        }
        return Verdict.pass();
    }

    @Override
    public Verdict beforeUpstream(Exchange x) {
        Span server = x.attribute(SERVER_SPAN);
        if (server == null) {
            // not recording: pass the client's own trace context on untouched
            String parent = x.header("traceparent");
            if (parent != null && !parent.isBlank()) {
                x.upstreamHeader("traceparent", parent.strip());
                String state = x.header("tracestate");
                if (state != null && !state.isBlank()) {
                    x.upstreamHeader("tracestate", state.strip());
                }
            }
            return Verdict.pass();
        }
        Tracer tracer = tracing.tracer();
        Span client = tracer.spanBuilder(spanName(x)).setParent(Context.root().with(server)).setSpanKind(SpanKind.CLIENT).startSpan();
        put(client, "gatehouse.server.id", x.serverId());
        put(client, "mcp.method.name", x.method());
        x.attribute(CLIENT_SPAN, client);
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(Context.root().with(client), carrier, Map::put);
        carrier.forEach(x::upstreamHeader);
        return Verdict.pass();
    }

    @Override
    public Verdict afterUpstream(Exchange x) {
        endClient(x);
        return Verdict.pass();
    }

    /** Ends a span: reads nothing of the result. */
    @Override
    public boolean readsResults(Exchange x) {
        return false;
    }

    @Override
    public void onComplete(Exchange x) {
        try {
            endClient(x);
            Span server = x.attribute(SERVER_SPAN);
            if (server == null) {
                return;
            }
            server.updateName(spanName(x));
            put(server, "mcp.session.id", x.sessionId());
            put(server, "gatehouse.server.id", x.serverId());
            put(server, "gatehouse.status", x.status());
            if ("tools/call".equals(x.method()) && x.target() != null) {
                put(server, "gen_ai.tool.name", x.target());
                put(server, "gen_ai.operation.name", "execute_tool");
            }
            if (x.errorCode() != null) {
                put(server, "rpc.jsonrpc.error_code", x.errorCode().toString());
            }
            String status = x.status();
            if ("error".equals(status) || "denied".equals(status) || "rejected".equals(status)) {
                server.setStatus(StatusCode.ERROR, x.errorMessage() == null ? status : x.errorMessage());
            }
            server.end();
        } catch (RuntimeException e) {
            // telemetry never fails an exchange
        }
    }

    private static void endClient(Exchange x) {
        Span client = x.attribute(CLIENT_SPAN);
        if (client != null) {
            x.attribute(CLIENT_SPAN, null);
            if (x.errorCode() != null) {
                client.setStatus(StatusCode.ERROR);
            }
            client.end();
        }
    }

    /** {@code tools/call files__read}: the method and, for a call, the exposed name. */
    private static String spanName(Exchange x) {
        String m = x.method() == null ? "mcp" : x.method();
        return x.target() == null || x.featureKind() == null || !"tools".equals(x.featureKind()) && !"prompts".equals(x.featureKind())
                ? m : m + " " + x.target();
    }

    private static void put(Span span, String key, String value) {
        if (value != null) {
            span.setAttribute(AttributeKey.stringKey(key), value);
        }
    }
}
