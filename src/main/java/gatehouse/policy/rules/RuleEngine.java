package gatehouse.policy.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gatehouse.policy.rules.pii.Overlaps;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a gateway's rules to one message: reads its texts once ({@link MessageTexts}), asks each
 * rule that covers the flow what it finds, and decides. Block wins over everything; otherwise the
 * edits of every enforcing rule are merged (overlaps resolved as Presidio's anonymizer does) and
 * applied to a copy. Alert-only rules and the alert action only report. A rule whose engine fails
 * follows its failure mode: closed blocks (when enforcing), open lets the message go; both report.
 * Decisions carry rule id, entity, JSON pointer and offsets, never the text.
 */
public final class RuleEngine {
    private RuleEngine() {
    }

    /** One thing a rule did or would have done to a message. */
    public record Hit(String ruleId, String ruleName, String action, String entity, String path, int start, int end,
                      boolean enforced, String error) {
        /** Non-secret facts for a log record or alert. */
        public Map<String, Object> details() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("ruleId", ruleId);
            d.put("rule", ruleName);
            if (entity != null) {
                d.put("entity", entity);
            }
            if (path != null) {
                d.put("path", path);
                d.put("start", start);
                d.put("end", end);
            }
            d.put("mode", enforced ? "enforce" : "alert-only");
            if (error != null) {
                d.put("error", error);
            }
            return d;
        }
    }

    /** The outcome for a message. Sealed: whoever acts on it decides every case. */
    public sealed interface Outcome {
        List<Hit> hits();

        record Unchanged(List<Hit> hits) implements Outcome {
        }

        record Changed(ObjectNode message, List<Hit> hits) implements Outcome {
        }

        record Blocked(String ruleId, List<Hit> hits) implements Outcome {
        }
    }

    /** Hits kept per rule and message: enough to locate the problem, bounded for a huge message. */
    static final int MAX_HITS_PER_RULE = 20;

    /**
     * Evaluates {@code rules} on {@code message} flowing {@code flow}. {@code hashKey} keys the hash
     * action. Never throws for an engine failure.
     */
    public static Outcome evaluate(List<CompiledRule> rules, RuleSpec.Flow flow, ObjectNode message, byte[] hashKey) {
        List<CompiledRule> applicable = new ArrayList<>(rules.size());
        for (CompiledRule r : rules) {
            if (r.spec().enabled() && r.spec().direction().covers(flow)) {
                applicable.add(r);
            }
        }
        if (applicable.isEmpty()) {
            return new Outcome.Unchanged(List.of());
        }
        MessageTexts.Texts texts = MessageTexts.of(message);
        if (texts.slots().isEmpty() && texts.binaryItems() == 0) {
            return new Outcome.Unchanged(List.of());
        }
        List<String> strings = texts.strings();
        List<Hit> hits = new ArrayList<>();
        List<List<Transform.Edit>> edits = null;
        String blockedBy = null;
        for (CompiledRule rule : applicable) {
            RuleSpec spec = rule.spec();
            boolean enforce = spec.enforcing();
            if (texts.binaryItems() > 0 && spec.binary() == RuleSpec.BinaryPolicy.BLOCK) {
                hits.add(new Hit(spec.id(), spec.name(), enforce ? "block" : "alert", "BINARY", null, 0, 0, enforce, null));
                if (enforce && blockedBy == null) {
                    blockedBy = spec.id();
                }
            }
            if (strings.isEmpty()) {
                continue;
            }
            Detector.Detection d;
            try {
                d = rule.detector().detect(strings, flow);
            } catch (DetectorException e) {
                boolean closed = spec.failMode() == RuleSpec.FailMode.CLOSED && enforce;
                hits.add(new Hit(spec.id(), spec.name(), closed ? "block" : "error", null, null, 0, 0, enforce, e.getMessage()));
                if (closed && blockedBy == null) {
                    blockedBy = spec.id();
                }
                continue;
            }
            int kept = 0;
            boolean any = d.blockAll();
            String action = enforce ? RuleSpec.wire(spec.action()) : "alert";
            if (d.blockAll()) {
                hits.add(new Hit(spec.id(), spec.name(), enforce ? "block" : "alert", null, null, 0, 0, enforce, null));
            }
            for (int i = 0; i < strings.size(); i++) {
                List<Finding> found = d.findings().get(i);
                if (found.isEmpty()) {
                    continue;
                }
                any = true;
                for (Finding f : found) {
                    if (kept++ < MAX_HITS_PER_RULE) {
                        hits.add(new Hit(spec.id(), spec.name(), action, f.entity(), texts.slots().get(i).path(), f.start(), f.end(), enforce, null));
                    }
                }
                if (enforce && spec.action() != RuleSpec.Action.BLOCK && spec.action() != RuleSpec.Action.ALERT) {
                    if (edits == null) {
                        edits = new ArrayList<>(strings.size());
                        for (int k = 0; k < strings.size(); k++) {
                            edits.add(null);
                        }
                    }
                    List<Transform.Edit> list = edits.get(i);
                    if (list == null) {
                        list = new ArrayList<>();
                        edits.set(i, list);
                    }
                    for (Finding f : found) {
                        list.add(new Transform.Edit(f, spec));
                    }
                }
            }
            if (any && enforce && (spec.action() == RuleSpec.Action.BLOCK || d.blockAll()) && blockedBy == null) {
                blockedBy = spec.id();
            }
        }
        if (blockedBy != null) {
            return new Outcome.Blocked(blockedBy, hits);
        }
        if (edits == null) {
            return new Outcome.Unchanged(hits);
        }
        ObjectNode copy = message.deepCopy();
        List<MessageTexts.Slot> slots = MessageTexts.of(copy).slots();
        for (int i = 0; i < slots.size(); i++) {
            List<Transform.Edit> list = edits.get(i);
            if (list == null) {
                continue;
            }
            MessageTexts.set(slots.get(i), Transform.apply(strings.get(i), resolve(list), hashKey));
        }
        return new Outcome.Changed(copy, hits);
    }

    /** Non-overlapping edits (strongest finding wins, as Presidio's anonymizer), by start. */
    static List<Transform.Edit> resolve(List<Transform.Edit> edits) {
        if (edits.size() == 1) {
            return edits;
        }
        Map<Finding, Transform.Edit> byFinding = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>(edits.size());
        for (Transform.Edit e : edits) {
            if (byFinding.putIfAbsent(e.finding(), e) == null) {
                findings.add(e.finding());
            }
        }
        List<Transform.Edit> out = new ArrayList<>();
        for (Finding f : Overlaps.resolve(findings)) {
            out.add(byFinding.get(f));
        }
        return out;
    }
}
