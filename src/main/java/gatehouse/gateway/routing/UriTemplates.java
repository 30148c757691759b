package gatehouse.gateway.routing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough RFC 6570 to decide whether a URI could come from a resource template. */
public final class UriTemplates {
    private static final Pattern EXPRESSION = Pattern.compile("\\{([+#./;?&]?)[^}]*}");

    private UriTemplates() {
    }

    public static boolean matches(String template, String uri) {
        if (template.isEmpty()) {
            return false;
        }
        StringBuilder regex = new StringBuilder("^");
        Matcher m = EXPRESSION.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            String op = m.group(1);
            if ("?".equals(op) || "&".equals(op) || "#".equals(op)) {
                regex.append(".*");
            } else if ("+".equals(op)) {
                regex.append(".+");
            } else {
                regex.append("[^/?#]+");
            }
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append("$");
        return Pattern.matches(regex.toString(), uri);
    }
}
