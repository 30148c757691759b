package gatehouse.admin.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Keys hide in more places than headers and environment: a server's URL ({@code ?api_key=…},
 * {@code user:password@}) and its command line ({@code --token=…}, {@code --api-key …},
 * {@code API_KEY=…}). The admin API answers those parts as {@value CatalogController#REDACTED},
 * and a change that sends the redacted form back unchanged keeps what is stored, so a form that
 * round-trips a server does not overwrite its keys with the placeholder.
 */
final class ServerSecrets {
    private static final String R = CatalogController.REDACTED;
    private static final String SECRET_WORD = "(key|token|secret|passw(or)?d|pwd|auth|credential|bearer)";
    /** {@code --api-key=VALUE}, {@code -token=VALUE}. */
    private static final Pattern FLAG_WITH_VALUE = Pattern.compile("(?i)^(--?[\\w.-]*" + SECRET_WORD + "[\\w.-]*=)(.+)$");
    /** {@code --api-key VALUE}: the next argument is the value. */
    private static final Pattern FLAG_ALONE = Pattern.compile("(?i)^--?[\\w.-]*" + SECRET_WORD + "[\\w.-]*$");
    /** {@code API_KEY=VALUE}, as in {@code env API_KEY=… server}. */
    private static final Pattern ASSIGNMENT = Pattern.compile("(?i)^([A-Z0-9_]*" + SECRET_WORD + "[A-Z0-9_]*=)(.+)$");

    private ServerSecrets() {
    }

    /** The URL with every query value, the password of its user info and its fragment replaced. */
    static String url(String url) {
        if (url == null) {
            return null;
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return R; // not even a URL: nothing of it is shown
        }
        if (u.getRawQuery() == null && u.getRawUserInfo() == null && u.getRawFragment() == null) {
            return url;
        }
        StringBuilder b = new StringBuilder();
        if (u.getScheme() != null) {
            b.append(u.getScheme()).append("://");
        }
        if (u.getRawUserInfo() != null) {
            String info = u.getRawUserInfo();
            int colon = info.indexOf(':');
            b.append(colon < 0 ? info : info.substring(0, colon + 1) + R).append('@');
        }
        if (u.getHost() != null) {
            b.append(u.getHost().contains(":") && !u.getHost().startsWith("[") ? "[" + u.getHost() + "]" : u.getHost());
        }
        if (u.getPort() >= 0) {
            b.append(':').append(u.getPort());
        }
        if (u.getRawPath() != null) {
            b.append(u.getRawPath());
        }
        if (u.getRawQuery() != null) {
            List<String> params = new ArrayList<>();
            for (String p : u.getRawQuery().split("&", -1)) {
                int eq = p.indexOf('=');
                params.add(eq < 0 ? p : p.substring(0, eq + 1) + R);
            }
            b.append('?').append(String.join("&", params));
        }
        if (u.getRawFragment() != null) {
            b.append('#').append(R);
        }
        return b.toString();
    }

    /** The command with the values of secret-looking flags and assignments, and URL secrets, replaced. */
    static List<String> command(List<String> command) {
        if (command == null) {
            return null;
        }
        List<String> out = new ArrayList<>(command.size());
        boolean nextIsSecret = false;
        for (String arg : command) {
            if (nextIsSecret) {
                out.add(R);
                nextIsSecret = false;
                continue;
            }
            var flag = FLAG_WITH_VALUE.matcher(arg);
            var assignment = ASSIGNMENT.matcher(arg);
            if (flag.matches()) {
                out.add(flag.group(1) + R);
            } else if (assignment.matches()) {
                out.add(assignment.group(1) + R);
            } else if (FLAG_ALONE.matcher(arg).matches()) {
                out.add(arg);
                nextIsSecret = true;
            } else if (arg.regionMatches(true, 0, "http://", 0, 7) || arg.regionMatches(true, 0, "https://", 0, 8)) {
                out.add(url(arg));
            } else {
                out.add(arg);
            }
        }
        return out;
    }

    /** {@code in}, without a URL or command that is only the redacted form of what is stored (they stay as they are). */
    static gatehouse.catalog.CatalogService.ServerInput keepRedacted(gatehouse.catalog.CatalogService.ServerInput in,
                                                                    gatehouse.catalog.ServerDef stored) {
        String url = in.url() != null && stored.url() != null && !in.url().equals(stored.url()) && in.url().equals(url(stored.url()))
                ? null : in.url();
        List<String> command = in.command() != null && stored.command() != null && !in.command().equals(stored.command())
                && Objects.equals(in.command(), command(stored.command())) ? null : in.command();
        if (Objects.equals(url, in.url()) && Objects.equals(command, in.command())) {
            return in;
        }
        return new gatehouse.catalog.CatalogService.ServerInput(in.name(), in.transport(), command, in.env(), url, in.headers());
    }
}
