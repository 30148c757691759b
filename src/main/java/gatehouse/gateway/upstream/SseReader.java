package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a text/event-stream body event by event (WHATWG server-sent events). An event whose data
 * (or a single line) exceeds the limit throws {@link MessageTooLargeException}.
 */
final class SseReader implements AutoCloseable {
    /**
     * One event; its data as the UTF-8 bytes that arrived ({@link #bytes()}), decoded only when
     * {@link #data()} asks for text: a JSON message is parsed from the bytes.
     */
    record Event(String id, String name, byte[] bytes) {
        /** The data as text. */
        String data() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** Whether the data is empty or only white space. */
        boolean blank() {
            for (byte b : bytes) {
                if (b < 0) {
                    return data().isBlank(); // not ASCII: as text
                }
                if (!Character.isWhitespace(b)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] ID = {'i', 'd'};
    /** The longest of the field names read. */
    private static final int ID_EVENT_DATA = 5;

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

    /**
     * The next event, or null at the end of the stream. The data is kept as bytes: one data line
     * (the usual JSON message) is copied once, from the line read to an array of its size.
     */
    Event next() throws IOException {
        byte[] data = null;
        int dataLength = 0;
        String name = null;
        while (readLine()) {
            int n = reader.lineLength();
            if (n == 0) {
                if (data != null) {
                    return event(name, data, dataLength);
                }
                name = null;
                continue;
            }
            if (reader.at(0) == ':') {
                continue;
            }
            // the fields read here are at most five bytes: the colon is looked for there only
            int colon = 0;
            while (colon < n && colon <= ID_EVENT_DATA && reader.at(colon) != ':') {
                colon++;
            }
            if (colon > ID_EVENT_DATA) {
                continue; // another field
            }
            int value = colon < n ? colon + 1 : n;
            if (value < n && reader.at(value) == ' ') {
                value++;
            }
            int valueLength = n - value;
            if (is(colon, DATA)) {
                if (data == null) {
                    data = reader.copyOfLine(value);
                    dataLength = valueLength;
                } else {
                    int need = dataLength + 1 + valueLength;
                    if (need > data.length) {
                        data = Arrays.copyOf(data, Math.max(need, 2 * data.length));
                    }
                    data[dataLength] = '\n';
                    reader.copyLine(value, data, dataLength + 1);
                    dataLength = need;
                }
                if (dataLength > maxEventBytes) {
                    throw tooLarge();
                }
            } else if (is(colon, EVENT)) {
                name = new String(reader.copyOfLine(value), StandardCharsets.UTF_8);
            } else if (is(colon, ID)) {
                lastEventId = new String(reader.copyOfLine(value), StandardCharsets.UTF_8);
            }
        }
        return data == null ? null : event(name, data, dataLength);
    }

    private Event event(String name, byte[] data, int length) {
        return new Event(lastEventId, name == null ? "message" : name, length == data.length ? data : Arrays.copyOf(data, length));
    }

    /** Whether the field name (the line's first {@code length} bytes) is {@code field}. */
    private boolean is(int length, byte[] field) {
        if (length != field.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (reader.at(i) != field[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean readLine() throws IOException {
        try {
            return reader.nextLine();
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
