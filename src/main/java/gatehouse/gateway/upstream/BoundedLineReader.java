package gatehouse.gateway.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 lines (ended by LF, CR or CRLF) holding at most {@code maxBytes} of one line in
 * memory: a longer line throws {@link MessageTooLargeException}; {@link #skipRest()} then discards
 * what is left of it without holding it.
 */
final class BoundedLineReader implements AutoCloseable {
    private final InputStream in;
    private final long maxBytes;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int len;
    private boolean skipLf;

    BoundedLineReader(InputStream in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** How many bytes were read ahead of the lines returned so far. */
    int buffered() {
        return len - pos;
    }

    /** The next byte, or -1 at the end of the stream. */
    private int read() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return -1;
            }
        }
        return buf[pos++] & 0xff;
    }

    /** The next line without its terminator, or null at the end of the stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = read()) != -1) {
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                skipLf = b == '\r';
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= maxBytes) {
                pos--; // leave the byte for skipRest
                throw new MessageTooLargeException("a line longer than " + maxBytes + " bytes");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** Discards the rest of the current line (after {@link MessageTooLargeException}); false at the end of the stream. */
    boolean skipRest() throws IOException {
        int b;
        while ((b = read()) != -1) {
            if (b == '\n' || b == '\r') {
                skipLf = b == '\r';
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
