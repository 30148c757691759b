package gatehouse.gateway.upstream;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Headers one client request adds to the HTTP requests it causes upstream (the W3C
 * {@code traceparent} of its upstream span), bound by the pipeline around the call to the
 * upstream. A scoped value rather than a parameter because the call passes through every
 * transport's code unchanged; requests built outside such a call (health probes, list refreshes,
 * streams) carry none.
 */
public final class OutgoingHeaders {
    private static final ScopedValue<Map<String, String>> CURRENT = ScopedValue.newInstance();

    private OutgoingHeaders() {
    }

    /** Runs {@code call} with {@code headers} added to the upstream requests it makes on this thread. */
    public static <T> T with(Map<String, String> headers, Supplier<T> call) {
        if (headers.isEmpty()) {
            return call.get();
        }
        return ScopedValue.where(CURRENT, Map.copyOf(headers)).call(call::get);
    }

    /** {@code work} to run on another thread with the headers bound here now (a call handed to a thread of its own). */
    public static Runnable carried(Runnable work) {
        Map<String, String> headers = current();
        return headers.isEmpty() ? work : () -> ScopedValue.where(CURRENT, headers).run(work);
    }

    /** The headers bound for the current call; empty outside one. */
    static Map<String, String> current() {
        return CURRENT.isBound() ? CURRENT.get() : Map.of();
    }
}
