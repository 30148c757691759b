package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads UTF-8 lines (ended by LF, CR or CRLF) holding at most {@code maxBytes} of one line in
 * memory: a longer line throws {@link MessageTooLargeException}; {@link #skipRest()} then discards
 * what is left of it without holding it.
 */
final class BoundedLineReader implements AutoCloseable {
    private final InputStream in;
    private final long maxBytes;
    private static final int BUFFER = 8192;
    /** The largest buffer a long line is read into, a buffer at a time. */
    private static final int MAX_PIECE = 64 * 1024;
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private int len;
    private boolean skipLf;
    /** The line last read: its earlier parts in the buffers they filled, the rest in {@code buf} from {@code lineFrom} to {@code lineEnd}. */
    private final List<Piece> pieces = new ArrayList<>(4);
    private int lineFrom;
    private int lineEnd;
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

    /** Refills the buffer (back to its usual size after a long line); false at the end of the stream. */
    private boolean fill() throws IOException {
        if (buf.length > BUFFER && pieces.isEmpty()) {
            buf = new byte[BUFFER];
        }
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
        if (!nextLine()) {
            return null;
        }
        return pieces.isEmpty() ? new String(buf, lineFrom, lineLength, StandardCharsets.UTF_8)
                : new String(copyOfLine(0), StandardCharsets.UTF_8);
    }

    /**
     * Reads the next line, without its terminator and undecoded (see {@link #lineLength()},
     * {@link #at}, {@link #copyOfLine}); false at the end of the stream. A line is not copied
     * while it is read: a line longer than the buffer keeps the buffers it filled, each read
     * going into a new one, so it is copied once, by whoever takes it.
     */
    boolean nextLine() throws IOException {
        pieces.clear();
        lineLength = 0;
        lineFrom = 0;
        lineEnd = 0;
        while (true) {
            if (pos == len) {
                if (lineEnd > lineFrom && len < buf.length) {
                    // this line goes on: read on after it in the same buffer
                    int n = in.read(buf, len, buf.length - len);
                    if (n <= 0) {
                        return true;
                    }
                    len += n;
                } else {
                    if (lineEnd > lineFrom) {
                        pieces.add(new Piece(buf, lineFrom, lineEnd)); // a full buffer: kept for the line, not overwritten
                        buf = new byte[Math.min(MAX_PIECE, Math.max(BUFFER, lineLength))];
                        lineFrom = 0;
                        lineEnd = 0;
                    }
                    if (!fill()) {
                        return lineLength > 0;
                    }
                }
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
                pieces.clear();
                pos = from + (int) (maxBytes - lineLength); // the first byte past the limit is left for skipRest
                throw new MessageTooLargeException("a line longer than " + maxBytes + " bytes");
            }
            if (lineEnd == from && lineEnd > lineFrom) {
                lineEnd = end; // more of the run already in this buffer
            } else {
                lineFrom = from; // within one buffer a line is one run: it starts at the buffer's start or at the line's
                lineEnd = end;
            }
            lineLength += run;
            if (end < len) {
                skipLf = buf[end] == '\r';
                pos = end + 1;
                return true;
            }
            pos = end;
        }
    }

    /** The length in bytes of the line {@link #nextLine()} read. */
    int lineLength() {
        return lineLength;
    }

    /** Byte {@code i} of the line {@link #nextLine()} read. */
    byte at(int i) {
        for (Piece p : pieces) {
            int n = p.to - p.from;
            if (i < n) {
                return p.bytes[p.from + i];
            }
            i -= n;
        }
        return buf[lineFrom + i];
    }

    /** The line {@link #nextLine()} read from its byte {@code from} on, in an array of its own. */
    byte[] copyOfLine(int from) {
        byte[] out = new byte[lineLength - from];
        copyLine(from, out, 0);
        return out;
    }

    /** Copies the line from its byte {@code from} on into {@code out} at {@code at}. */
    void copyLine(int from, byte[] out, int at) {
        for (Piece p : pieces) {
            int n = p.to - p.from;
            if (from < n) {
                System.arraycopy(p.bytes, p.from + from, out, at, n - from);
                at += n - from;
                from = 0;
            } else {
                from -= n;
            }
        }
        System.arraycopy(buf, lineFrom + from, out, at, lineEnd - lineFrom - from);
    }

    /** A part of a long line, in a buffer it filled. */
    private record Piece(byte[] bytes, int from, int to) {
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
