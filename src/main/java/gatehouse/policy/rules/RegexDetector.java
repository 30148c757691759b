package gatehouse.policy.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regex rule: several patterns compiled once, each match a finding of entity {@code REGEX}. Every
 * scan has a step budget proportional to the text ({@link BudgetedText}) and texts over
 * {@link #MAX_CHARS} are refused, both as a {@link DetectorException} the failure mode handles.
 */
public final class RegexDetector implements Detector {
    /** Longest single string a regex rule scans (1 MiB of chars). */
    public static final int MAX_CHARS = 1 << 20;
    /** Reads allowed per character of input (plus a constant): linear patterns use a few. */
    static final long STEPS_PER_CHAR = 200;
    static final long STEPS_BASE = 100_000;

    private final List<Pattern> patterns;
    private final String entity;

    private RegexDetector(List<Pattern> patterns, String entity) {
        this.patterns = patterns;
        this.entity = entity;
    }

    /** Compiles every pattern; an invalid one is refused naming it and the reason. */
    public static RegexDetector compile(List<String> sources, String entity) {
        List<Pattern> compiled = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            String p = sources.get(i);
            if (p == null || p.isEmpty()) {
                throw new RuleException("patterns[" + i + "]", "pattern " + i + " is empty");
            }
            if (p.length() > 4096) {
                throw new RuleException("patterns[" + i + "]", "pattern " + i + " is longer than 4096 characters");
            }
            try {
                compiled.add(Pattern.compile(p));
            } catch (PatternSyntaxException e) {
                throw new RuleException("patterns[" + i + "]", "pattern " + i + " '" + p + "' is not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex());
            }
        }
        return new RegexDetector(List.copyOf(compiled), entity == null ? "REGEX" : entity);
    }

    @Override
    public Detection detect(List<String> texts, RuleSpec.Flow flow) {
        List<List<Finding>> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(scan(t));
        }
        return new Detection(out, false);
    }

    List<Finding> scan(String text) {
        if (text.length() > MAX_CHARS) {
            throw new DetectorException("text of " + text.length() + " characters is over the regex limit of " + MAX_CHARS);
        }
        List<Finding> found = new ArrayList<>();
        BudgetedText input = new BudgetedText(text, STEPS_BASE + STEPS_PER_CHAR * text.length());
        try {
            for (Pattern p : patterns) {
                Matcher m = p.matcher(input);
                while (m.find()) {
                    if (m.end() > m.start()) {
                        found.add(new Finding(entity, m.start(), m.end(), 1.0));
                    }
                }
            }
        } catch (BudgetedText.BudgetExceeded e) {
            throw new DetectorException("a regex pattern exceeded its step budget on a text of " + text.length() + " characters");
        } catch (StackOverflowError e) {
            throw new DetectorException("a regex pattern recursed too deeply on a text of " + text.length() + " characters");
        }
        return found;
    }
}
