package gatehouse.gateway.session;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import gatehouse.gateway.protocol.EventStream;

/**
 * The session's GET stream. Events are numbered and the newest are kept (at most
 * {@code maxEvents} and {@code maxBytes}, the newest one always), so a client that reconnects with
 * Last-Event-ID (or connects late) receives what it missed, as far as it is still kept; older events
 * are dropped, oldest first.
 */
final class StandaloneStream {
    private final int maxEvents;
    private final long maxBytes;
    private long bytes;
    private long dropped;

    private record Event(long seq, byte[] data) {
    }

    private final String sessionId;
    private final Deque<Event> buffer = new ArrayDeque<>();
    private long seq;
    private long delivered;
    private EventStream writer;

    StandaloneStream(String sessionId, int maxEvents, long maxBytes) {
        this(sessionId, maxEvents, maxBytes, 0);
    }

    /** {@code firstEvent}: events are numbered after it (a session carried on numbers past its old replica's). */
    StandaloneStream(String sessionId, int maxEvents, long maxBytes, long firstEvent) {
        this.seq = firstEvent;
        this.delivered = firstEvent;
        this.sessionId = sessionId;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    synchronized void send(byte[] data) {
        Event e = new Event(++seq, data);
        buffer.addLast(e);
        bytes += data.length;
        while (buffer.size() > 1 && (buffer.size() > maxEvents || bytes > maxBytes)) {
            bytes -= buffer.removeFirst().data.length;
            dropped++;
        }
        if (writer != null) {
            write(e);
        }
    }

    /** Attaches a new writer, replacing (and closing) any old one; replays missed events. */
    synchronized void attach(EventStream w, String lastEventId) {
        if (writer != null) {
            writer.close();
        }
        writer = w;
        long from = delivered;
        if (lastEventId != null) {
            int slash = lastEventId.lastIndexOf('/');
            try {
                from = Long.parseLong(slash >= 0 ? lastEventId.substring(slash + 1) : lastEventId);
            } catch (NumberFormatException ignored) {
                // unknown id: replay what was never delivered
            }
        }
        for (Event e : buffer) {
            if (e.seq > from && writer != null) {
                write(e);
            }
        }
    }

    /** Events and bytes kept for replay, and how many were dropped to stay within the bounds. */
    synchronized long[] kept() {
        return new long[] {buffer.size(), bytes, dropped};
    }

    synchronized boolean attached(EventStream w) {
        return writer == w;
    }

    synchronized void detach(EventStream w) {
        if (writer == w) {
            writer = null;
        }
    }

    synchronized void closeWriter() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    synchronized boolean keepAlive(EventStream w) {
        if (writer != w) {
            return false;
        }
        try {
            w.comment("keep-alive");
            return true;
        } catch (IOException e) {
            writer = null;
            return false;
        }
    }

    private void write(Event e) {
        try {
            writer.event(sessionId + "/" + e.seq, e.data);
            delivered = Math.max(delivered, e.seq);
        } catch (IOException ex) {
            writer = null;
        }
    }
}
