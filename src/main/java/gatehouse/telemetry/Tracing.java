package gatehouse.telemetry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

/**
 * The one OpenTelemetry SDK of the process, or none: switched on by the standard variables
 * ({@code OTEL_EXPORTER_OTLP_ENDPOINT} or the traces/logs endpoints; {@code OTEL_SDK_DISABLED=true}
 * switches it off) through the SDK's autoconfiguration, defaults protocol http/protobuf, service
 * {@code gatehouse}, no metrics export (Prometheus serves those). Settings made through the admin
 * API ({@link TelemetrySettings}) replace those of the environment while they exist; a change swaps
 * the SDK in place (the old one sends what it holds, then stops). The pipeline's telemetry step
 * makes live spans with it; the log-record listener exports records.
 */
@Component
public class Tracing implements DisposableBean {
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(Tracing.class);

    /** The SDK in use with its tracer and logger; when off, no SDK and no-op tracer and logger (never null). */
    private record State(OpenTelemetrySdk sdk, Tracer tracer, Logger logger, String source) {
    }

    private static final State OFF = new State(null, OpenTelemetry.noop().getTracer("gatehouse"),
            OpenTelemetry.noop().getLogsBridge().get("gatehouse"), "off");

    /** The settings from the environment; null when it switches nothing on. */
    private final Map<String, String> environment;
    private volatile State state;

    /** OpenTelemetry settings also accepted as Spring properties ({@code --otel.exporter.otlp.endpoint=…}, a YAML file). */
    static final List<String> PROPERTIES = List.of("otel.sdk.disabled", "otel.exporter.otlp.endpoint",
            "otel.exporter.otlp.traces.endpoint", "otel.exporter.otlp.logs.endpoint", "otel.exporter.otlp.protocol",
            "otel.exporter.otlp.headers", "otel.service.name", "otel.bsp.schedule.delay", "otel.blrp.schedule.delay",
            "otel.traces.sampler", "otel.traces.sampler.arg");

    /** From the {@code OTEL_*} environment variables, or the same settings as properties of the application. */
    @Autowired
    public Tracing(Environment env) {
        this(config(env));
    }

    private static Map<String, String> config(Environment env) {
        Map<String, String> found = new HashMap<>();
        for (String key : PROPERTIES) {
            String v = env.getProperty(key);
            if (v != null && !v.isBlank()) {
                found.put(key, v);
            }
        }
        boolean endpoint = found.containsKey("otel.exporter.otlp.endpoint") || found.containsKey("otel.exporter.otlp.traces.endpoint")
                || found.containsKey("otel.exporter.otlp.logs.endpoint");
        return endpoint && !"true".equalsIgnoreCase(found.get("otel.sdk.disabled")) ? found : null;
    }

    /** {@code config}: OpenTelemetry properties on top of the environment; null switches tracing off. */
    public Tracing(Map<String, String> config) {
        this.environment = config == null ? null : Map.copyOf(config);
        this.state = build(environment, "environment");
    }

    private static State build(Map<String, String> config, String source) {
        if (config == null) {
            return OFF;
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "gatehouse");
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        defaults.put("otel.metrics.exporter", "none");
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> defaults)
                .addPropertiesSupplier(() -> config).build().getOpenTelemetrySdk();
        log.info("OpenTelemetry export of traces and log records is on (settings from the {})", source);
        return new State(sdk, sdk.getTracer("gatehouse"), sdk.getLogsBridge().get("gatehouse"), source);
    }

    /**
     * Uses {@code settings} (OpenTelemetry properties, as from the admin API) from now on; null goes
     * back to the environment's. The SDK used so far sends what it holds and stops.
     */
    synchronized void use(Map<String, String> settings) {
        State next = settings == null ? build(environment, "environment") : build(Map.copyOf(settings), "admin API");
        State old = state;
        state = next;
        if (old.sdk() != null) {
            flush(old.sdk());
            old.sdk().shutdown().join(10, TimeUnit.SECONDS);
        }
        if (next.sdk() == null) {
            log.info("OpenTelemetry export is off");
        }
    }

    /** Whether spans and log records are made and exported. */
    public boolean on() {
        return state.sdk() != null;
    }

    /** Where the settings in use come from: {@code environment}, {@code admin API}, or {@code off}. */
    public String source() {
        return state.source();
    }

    /** The tracer; a no-op one when off. */
    public Tracer tracer() {
        return state.tracer();
    }

    /** The log-record emitter; a no-op one when off. */
    Logger logger() {
        return state.logger();
    }

    /** Sends what is buffered (tests, shutdown). */
    public void flush() {
        OpenTelemetrySdk sdk = state.sdk();
        if (sdk != null) {
            flush(sdk);
        }
    }

    private static void flush(OpenTelemetrySdk sdk) {
        sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
        sdk.getSdkLoggerProvider().forceFlush().join(10, TimeUnit.SECONDS);
    }

    @Override
    public void destroy() {
        OpenTelemetrySdk sdk = state.sdk();
        if (sdk != null) {
            flush(sdk);
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
