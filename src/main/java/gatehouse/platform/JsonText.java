package gatehouse.platform;

/**
 * The JSON text of one value as it arrived (a slice of the bytes read), handed on instead of a tree
 * where nothing on the way needs the tree: a tool result passed through unread reaches the log
 * writer this way, which reads what it counts straight from the bytes. Never changed once made.
 */
public record JsonText(byte[] bytes, int from, int to) {
    public JsonText {
        if (bytes == null || from < 0 || to > bytes.length || from >= to) {
            throw new IllegalArgumentException("not a slice of the bytes");
        }
    }

    public int length() {
        return to - from;
    }
}
