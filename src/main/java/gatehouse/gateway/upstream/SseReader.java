package gatehouse.gateway.upstream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reads a text/event-stream body event by event (WHATWG server-sent events). */
final class SseReader implements AutoCloseable {
    record Event(String id, String name, String data) {
    }

    private final BufferedReader reader;
    private String lastEventId;

    SseReader(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next event, or null at the end of the stream. */
    Event next() throws IOException {
        StringBuilder data = null;
        String name = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(lastEventId, name == null ? "message" : name, data.toString());
                }
                name = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                case "event" -> name = value;
                case "id" -> lastEventId = value;
                default -> { }
            }
        }
        return data == null ? null : new Event(lastEventId, name == null ? "message" : name, data.toString());
    }

    String lastEventId() {
        return lastEventId;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
