package gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback address where nothing listens, for tests of a refused connection: an ephemeral port
 * bound, read back and closed, so the connection is refused for real rather than assumed (a fixed
 * port such as 9 may be served on some machine).
 */
public final class RefusedPort {
    private RefusedPort() {
    }

    /** A port on 127.0.0.1 that was just released by this process. */
    public static int port() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<refused port><path>}. */
    public static String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }
}
