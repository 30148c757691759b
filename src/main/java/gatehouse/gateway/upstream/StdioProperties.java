package gatehouse.gateway.upstream;

import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How stdio servers are launched. They are third-party code (often {@code npx -y …}) running as
 * Gatehouse's own OS user, so each gets a cleared environment ({@link #ALWAYS_INHERITED}, the names in
 * {@code inheritEnv} and the server's own {@code env}, nothing else: no admin token, database password
 * or master key), a working directory outside the data directory, and optionally a bubblewrap sandbox
 * in which the data directory is an empty directory.
 *
 * @param workRoot          parent of each server's working directory; empty means
 *                          {@code <java.io.tmpdir>/gatehouse-stdio-<hash of the data directory>}
 * @param inheritEnv        further variables passed on from Gatehouse's environment (e.g. {@code HTTPS_PROXY})
 * @param sandbox           {@code off}, {@code auto} (bubblewrap when it is installed) or {@code required}
 * @param bubblewrapCommand the bubblewrap executable
 */
@ConfigurationProperties("gatehouse.stdio")
public record StdioProperties(
        String workRoot,
        @DefaultValue List<String> inheritEnv,
        @DefaultValue("off") String sandbox,
        @DefaultValue("bwrap") String bubblewrapCommand) {

    /** What every child gets from Gatehouse's environment: what a program needs to find its tools, home and locale. */
    public static final List<String> ALWAYS_INHERITED = List.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE",
            "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "TMPDIR", "TERM", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT");

    public static final StdioProperties DEFAULTS = new StdioProperties(null, List.of(), "off", "bwrap");

    public StdioProperties {
        inheritEnv = inheritEnv == null ? List.of() : List.copyOf(inheritEnv);
        sandbox = sandbox == null || sandbox.isBlank() ? "off" : sandbox.trim().toLowerCase(Locale.ROOT);
        if (!List.of("off", "auto", "required").contains(sandbox)) {
            throw new IllegalArgumentException("gatehouse.stdio.sandbox must be off, auto or required (got '" + sandbox + "')");
        }
        for (String name : inheritEnv) {
            if (name.isBlank() || name.contains("=")) {
                throw new IllegalArgumentException("gatehouse.stdio.inherit-env holds variable names, not '" + name + "'");
            }
        }
        bubblewrapCommand = bubblewrapCommand == null || bubblewrapCommand.isBlank() ? "bwrap" : bubblewrapCommand;
    }
}
