package gatehouse.e2e;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the MCP conformance CLI reports after its SUMMARY line: one "✓ name: N passed, M failed"
 * line per scenario (a warnings count may follow) and "Total: N passed, M failed". Terminal colour
 * codes are stripped first, so a CLI that colours its output when it thinks it may parses the same.
 * Output without a Total line is refused: a run that crashed must not read as "nothing failed".
 */
record ConformanceSummary(Map<String, Counts> scenarios, int passed, int failed) {
    private static final Pattern COLOUR = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Pattern SCENARIO = Pattern.compile("^[✓✗] ([\\w-]+): (\\d+) passed, (\\d+) failed", Pattern.MULTILINE);
    private static final Pattern TOTAL = Pattern.compile("^Total: (\\d+) passed, (\\d+) failed", Pattern.MULTILINE);

    /** Checks of one scenario. */
    record Counts(int passed, int failed) {
    }

    ConformanceSummary {
        scenarios = Collections.unmodifiableMap(new LinkedHashMap<>(scenarios));
    }

    static ConformanceSummary parse(NodePeers.Run run) {
        return parse(run.stdout(), run.toString());
    }

    /** {@code context} goes into the failure message when the output has no Total line. */
    static ConformanceSummary parse(String output, String context) {
        String out = COLOUR.matcher(output).replaceAll("");
        int summaryAt = out.lastIndexOf("SUMMARY");
        String tail = summaryAt >= 0 ? out.substring(summaryAt) : out;
        Map<String, Counts> scenarios = new LinkedHashMap<>();
        Matcher m = SCENARIO.matcher(tail);
        while (m.find()) {
            scenarios.put(m.group(1), new Counts(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
        }
        Matcher total = TOTAL.matcher(tail);
        if (!total.find()) {
            throw new AssertionError("the conformance suite printed no Total line:\n" + context);
        }
        return new ConformanceSummary(scenarios, Integer.parseInt(total.group(1)), Integer.parseInt(total.group(2)));
    }

    /** The counts of a scenario that must have run. */
    Counts scenario(String name) {
        Counts c = scenarios.get(name);
        if (c == null) {
            throw new AssertionError("scenario " + name + " did not run; ran: " + scenarios.keySet());
        }
        return c;
    }
}
