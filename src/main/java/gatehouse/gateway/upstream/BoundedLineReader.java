package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
    private static final int INITIAL_LINE = 256;
    private static final int KEEP_LINE = 16 * 1024;
    private byte[] line = new byte[INITIAL_LINE];
    private int lineLength;

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
        if (pos == len && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Refills the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        len = in.read(buf, 0, buf.length);
        pos = 0;
        if (len <= 0) {
            len = 0;
            return false;
        }
        return true;
    }

    /** The next line without its terminator, or null at the end of the stream. */
    String readLine() throws IOException {
        return nextLine() ? new String(line, 0, lineLength, StandardCharsets.UTF_8) : null;
    }

    /**
     * Reads the next line, without its terminator and undecoded, into {@link #line()} (its first
     * {@link #lineLength()} bytes); false at the end of the stream. The bytes are copied from the
     * read buffer a run at a time, up to the line's end, not byte by byte.
     */
    boolean nextLine() throws IOException {
        if (line.length > KEEP_LINE) {
            line = new byte[INITIAL_LINE]; // a long line's room is not kept for the (usually short) lines after it
        }
        lineLength = 0;
        while (true) {
            if (pos == len && !fill()) {
                return lineLength > 0;
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int from = pos;
            int end = from;
            while (end < len && buf[end] != '\n' && buf[end] != '\r') {
                end++;
            }
            int run = end - from;
            if (lineLength + (long) run > maxBytes) {
                pos = from + (int) (maxBytes - lineLength); // the first byte past the limit is left for skipRest
                throw new MessageTooLargeException("a line longer than " + maxBytes + " bytes");
            }
            append(from, run);
            if (end < len) {
                skipLf = buf[end] == '\r';
                pos = end + 1;
                return true;
            }
            pos = end;
        }
    }

    /** The bytes of the line {@link #nextLine()} read (valid up to {@link #lineLength()}, until the next call). */
    byte[] line() {
        return line;
    }

    int lineLength() {
        return lineLength;
    }

    private void append(int from, int n) {
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) lineLength + n, 2L * line.length)));
        }
        System.arraycopy(buf, from, line, lineLength, n);
        lineLength += n;
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
