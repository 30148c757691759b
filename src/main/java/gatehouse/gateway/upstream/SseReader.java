package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a text/event-stream body event by event (WHATWG server-sent events). An event whose data
 * (or a single line) exceeds the limit throws {@link MessageTooLargeException}.
 */
final class SseReader implements AutoCloseable {
    record Event(String id, String name, String data) {
    }

    private final BoundedLineReader reader;
    private final long maxEventBytes;
    private String lastEventId;

    SseReader(InputStream in) {
        this(in, UpstreamIo.DEFAULT_MAX_MESSAGE_BYTES);
    }

    SseReader(InputStream in, long maxEventBytes) {
        // a line is a field name, a colon and a space more than its value
        this.reader = new BoundedLineReader(in, maxEventBytes + 64);
        this.maxEventBytes = maxEventBytes;
    }

    /** The next event, or null at the end of the stream. */
    Event next() throws IOException {
        StringBuilder data = null;
        String name = null;
        String line;
        while ((line = readLine()) != null) {
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
                    if (data.length() > maxEventBytes) { // chars: a lower bound of the bytes
                        throw tooLarge();
                    }
                }
                case "event" -> name = value;
                case "id" -> lastEventId = value;
                default -> { }
            }
        }
        return data == null ? null : new Event(lastEventId, name == null ? "message" : name, data.toString());
    }

    private String readLine() throws IOException {
        try {
            return reader.readLine();
        } catch (MessageTooLargeException e) {
            throw tooLarge();
        }
    }

    private MessageTooLargeException tooLarge() {
        return new MessageTooLargeException("an event larger than the limit of " + maxEventBytes
                + " bytes (gatehouse.mcp.max-upstream-message-bytes)");
    }

    /** How many bytes were read ahead of the events returned so far. */
    int buffered() {
        return reader.buffered();
    }

    String lastEventId() {
        return lastEventId;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
