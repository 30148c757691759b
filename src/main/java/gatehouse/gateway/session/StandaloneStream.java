package gatehouse.gateway.session;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import gatehouse.gateway.protocol.EventStream;

/**
 * The session's GET stream. Events are numbered and the last {@value #REPLAY} are kept, so a
 * client that reconnects with Last-Event-ID (or connects late) receives what it missed.
 */
final class StandaloneStream {
    static final int REPLAY = 512;

    private record Event(long seq, byte[] data) {
    }

    private final String sessionId;
    private final Deque<Event> buffer = new ArrayDeque<>();
    private long seq;
    private long delivered;
    private EventStream writer;

    StandaloneStream(String sessionId) {
        this.sessionId = sessionId;
    }

    synchronized void send(byte[] data) {
        Event e = new Event(++seq, data);
        buffer.addLast(e);
        while (buffer.size() > REPLAY) {
            buffer.removeFirst();
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
