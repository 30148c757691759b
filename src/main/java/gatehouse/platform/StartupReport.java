package gatehouse.platform;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What an operator needs once start-up has succeeded: the one-time secrets generated on a first
 * start (admin API token, sign-in password) together with the URLs where they are used, printed
 * once, after the configuration was applied and before {@code /healthz} turns ready. A start that
 * fails prints no secret. The secrets go to standard output on purpose and never to the log.
 */
@Component
public class StartupReport {
    private static final Logger log = LoggerFactory.getLogger(StartupReport.class);

    /** One secret shown once: a heading and its lines ({@code user: admin}, {@code password: …}). */
    public record Secret(String heading, List<String> lines) {
        public Secret {
            lines = List.copyOf(lines);
        }
    }

    private final GatehouseProperties properties;
    private final List<Secret> secrets = new ArrayList<>();

    StartupReport(GatehouseProperties properties) {
        this.properties = properties;
    }

    /** Keeps a secret to show when start-up has finished. */
    public synchronized void showOnce(Secret secret) {
        secrets.add(secret);
    }

    @EventListener(ApplicationReadyEvent.class)
    public synchronized void ready() {
        String base = properties.publicUrlNoSlash();
        if (!secrets.isEmpty()) {
            StringBuilder b = new StringBuilder("\n==================================================================\n");
            b.append("Gatehouse is ready. Shown once, store them safely:\n");
            for (Secret s : secrets) {
                b.append('\n').append(s.heading()).append('\n');
                s.lines().forEach(line -> b.append("  ").append(line).append('\n'));
            }
            b.append('\n').append(urls(base));
            b.append("==================================================================\n");
            System.out.println(b);
            System.out.flush();
            secrets.clear();
        }
        log.info("Gatehouse is ready: admin API {}/api/v1, sign-in {}/login, MCP {}/gateway/v1/mcp", base, base, base);
    }

    static String urls(String base) {
        return "  admin API:  " + base + "/api/v1   (Authorization: Bearer <admin token>)\n"
                + "  sign-in:    " + base + "/login\n"
                + "  MCP:        " + base + "/gateway/v1/mcp?gateway=<gateway id>\n";
    }
}
