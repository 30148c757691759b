package gatehouse.platform;

/**
 * Text chosen by someone else, made fit for a log line: control characters (forged line breaks,
 * terminal escapes) replaced, length capped, and for URLs the query, fragment and user info left
 * out (they may hold keys).
 */
public final class LogSafe {
    private static final int MAX = 200;

    private LogSafe() {
    }

    public static String text(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX + 1));
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR ? '?' : c);
        }
        return s.length() > MAX ? b + "…" : b.toString();
    }

    /** A URL without user info, query or fragment. */
    public static String url(String url) {
        if (url == null) {
            return "null";
        }
        String u = url;
        int cut = indexOfAny(u, '?', '#');
        if (cut >= 0) {
            u = u.substring(0, cut);
        }
        int scheme = u.indexOf("://");
        if (scheme >= 0) {
            int start = scheme + 3;
            int slash = u.indexOf('/', start);
            int at = u.lastIndexOf('@', slash < 0 ? u.length() : slash);
            if (at >= start) {
                u = u.substring(0, start) + u.substring(at + 1);
            }
        }
        return text(u);
    }

    public static String host(String host) {
        return text(host);
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}
