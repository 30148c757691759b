package gatehouse.catalog;

import java.util.ArrayList;
import java.util.List;

import gatehouse.platform.ProblemException;

/**
 * A stdio command as people copy it from other MCP clients' configuration: a list
 * ({@code ["npx", "-y", "pkg"]}), a program with {@code args} beside it ({@code "command": "npx",
 * "args": ["-y", "pkg"]}), or one command line ({@code "npx -y pkg"}, split like a shell would
 * split it, quotes included). Anything else is refused with the shapes that are accepted.
 */
public final class ServerCommand {
    public static final String SHAPES = "\"command\": [\"npx\", \"-y\", \"some-mcp-server\"], or \"command\": \"npx\" with "
            + "\"args\": [\"-y\", \"some-mcp-server\"], or \"command\": \"npx -y some-mcp-server\"";

    private ServerCommand() {
    }

    /** The command list; null when neither is given (unchanged in an update). */
    public static List<String> of(List<String> command, List<String> args) {
        if (command == null) {
            if (args != null) {
                throw ProblemException.invalid("args", "args go beside a command: " + SHAPES);
            }
            return null;
        }
        if (args != null) {
            if (command.size() != 1) {
                throw ProblemException.invalid("args", "args go beside a command given as one string (the program); with a list, "
                        + "put the arguments in the list: " + SHAPES);
            }
            List<String> all = new ArrayList<>(command);
            all.addAll(args);
            return List.copyOf(all);
        }
        if (command.size() == 1 && command.getFirst().strip().contains(" ")) {
            return split(command.getFirst());
        }
        return command;
    }

    /** Splits a command line at unquoted whitespace; single and double quotes group, a backslash escapes. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw ProblemException.invalid("command", "the command line has an unclosed " + quote + " quote: " + SHAPES);
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return List.copyOf(out);
    }
}
