package gatehouse.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * An OTLP/HTTP receiver on 127.0.0.1 that decodes what it gets with the official protobuf messages
 * ({@code /v1/traces}, {@code /v1/logs}) and keeps the spans and log records for assertions.
 */
public final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final List<LogRecord> logs = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", ex -> {
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes()).getResourceSpansList()
                    .forEach(rs -> rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList())));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/v1/logs", ex -> {
            ExportLogsServiceRequest.parseFrom(ex.getRequestBody().readAllBytes()).getResourceLogsList()
                    .forEach(rl -> rl.getScopeLogsList().forEach(sl -> logs.addAll(sl.getLogRecordsList())));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    /** {@code http://127.0.0.1:PORT}, the value of {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The Authorization header of each trace export received ("null" when there was none). */
    public List<String> authorizations() {
        return authorizations;
    }

    public List<Span> spans() {
        return spans;
    }

    public List<LogRecord> logs() {
        return logs;
    }

    /** A string attribute's value, or null. */
    public static String attr(List<KeyValue> attributes, String key) {
        return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue()).findFirst().orElse(null);
    }

    /** Lower-case hex of an id as W3C writes it. */
    public static String hex(com.google.protobuf.ByteString id) {
        StringBuilder b = new StringBuilder();
        for (byte x : id.toByteArray()) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
