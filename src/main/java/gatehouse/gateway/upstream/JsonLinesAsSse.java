package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A long-lived {@code application/json} body that carries one JSON-RPC message per line (some
 * 2026-07-28 servers answer {@code subscriptions/listen} that way instead of with an event stream),
 * read as the equivalent event stream ({@code data: LINE} events), so one listener loop serves both.
 */
final class JsonLinesAsSse extends InputStream {
    private final BoundedLineReader lines;
    private byte[] current = new byte[0];
    private int pos;

    private JsonLinesAsSse(BoundedLineReader lines) {
        this.lines = lines;
    }

    /**
     * The body as an event stream when its first message is a notification (a listen stream begins
     * with its acknowledgement); null, with the body closed, when it is an answer (an error) instead.
     */
    static JsonLinesAsSse ifStream(InputStream in, long maxMessageBytes) throws IOException {
        BoundedLineReader lines = new BoundedLineReader(in, maxMessageBytes);
        String first = lines.readLine();
        while (first != null && first.isBlank()) {
            first = lines.readLine();
        }
        JsonNode m = null;
        if (first != null) {
            try {
                m = Json.MAPPER.readTree(first);
            } catch (JacksonException e) {
                m = null;
            }
        }
        if (!(m instanceof ObjectNode message) || !JsonRpc.isNotification(message)) {
            lines.close();
            return null;
        }
        JsonLinesAsSse stream = new JsonLinesAsSse(lines);
        stream.current = ("data: " + first.strip() + "\n\n").getBytes(StandardCharsets.UTF_8);
        return stream;
    }

    private boolean fill() throws IOException {
        while (pos >= current.length) {
            String line = lines.readLine();
            if (line == null) {
                return false;
            }
            if (!line.isBlank()) {
                current = ("data: " + line.strip() + "\n\n").getBytes(StandardCharsets.UTF_8);
                pos = 0;
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
