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

import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

/**
 * The one OpenTelemetry SDK of the process, or none: switched on by the standard variables
 * ({@code OTEL_EXPORTER_OTLP_ENDPOINT} or the traces/logs endpoints; {@code OTEL_SDK_DISABLED=true}
 * switches it off) through the SDK's autoconfiguration, defaults protocol http/protobuf, service
 * {@code gatehouse}, no metrics export (Prometheus serves those). The pipeline's telemetry step
 * makes live spans with it; the log-record listener exports records.
 */
@Component
public class Tracing implements DisposableBean {
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(Tracing.class);

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final Logger logger;

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

    /** Whether spans and log records are made and exported. */
    public boolean on() {
        return sdk != null;
    }

    /** The tracer; null when off. */
    public Tracer tracer() {
        return tracer;
    }

    /** The log-record emitter; null when off. */
    Logger logger() {
        return logger;
    }

    /** Sends what is buffered (tests, shutdown). */
    public void flush() {
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
