package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.catalog.CatalogService;
import gatehouse.testing.GatewayTestSupport;

/** The container settings a busy client's calls rely on, in the running application. */
class HotPathThroughGatewayTest extends GatewayTestSupport {
    @Autowired
    private CatalogService catalog;

    /** Tomcat's default ends a kept connection after 100 requests, and the client then connects again. */
    @Test
    void aKeptConnectionCarriesHundredsOfRequests() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 300; i++) {
                out.write(("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String status = in.readLine();
                assertThat(status).as("answer %d", i).startsWith("HTTP/1.1 200");
                int length = -1;
                boolean chunked = false;
                boolean close = false;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    String h = line.toLowerCase(Locale.ROOT);
                    if (h.startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                    chunked |= h.startsWith("transfer-encoding:") && h.contains("chunked");
                    close |= h.startsWith("connection:") && h.contains("close");
                }
                assertThat(close).as("answer %d keeps the connection", i).isFalse();
                assertThat(chunked || length > 0).as("answer %d has a length or chunks", i).isTrue();
                if (chunked) {
                    for (int size = Integer.parseInt(in.readLine().trim(), 16); size > 0; size = Integer.parseInt(in.readLine().trim(), 16)) {
                        skip(in, size);
                        in.readLine();
                    }
                    in.readLine(); // the empty line after the last chunk
                } else {
                    skip(in, length);
                }
            }
        }
    }

    private static void skip(BufferedReader in, int n) throws java.io.IOException {
        for (int k = 0; k < n; k++) {
            assertThat(in.read()).isNotNegative();
        }
    }

    @Test
    void theTransactionProxiesAreFrozen() {
        assertThat(AopUtils.isAopProxy(catalog)).isTrue();
        assertThat(((Advised) catalog).isFrozen()).isTrue();
    }
}
