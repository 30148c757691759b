package gatehouse.policy.rules;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import gatehouse.platform.OutboundHttp;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code presidio} rule: a Microsoft Presidio Analyzer's REST API ({@code POST /analyze}) with
 * the rule's entities, threshold and exact allow list (regex allow-list entries are applied here).
 * All strings of one message go in one call, joined by blank lines, and findings are mapped back
 * to each string; Presidio counts Unicode code points, Java counts UTF-16 units, so offsets are
 * converted. Answers are cached by content hash (a bounded LRU), and every call is bounded by the
 * rule's timeout, connection and body included.
 */
public final class PresidioDetector implements Detector {
    static final String SEPARATOR = "\n\n";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int CACHE_ENTRIES = 1024;

    private final URI analyze;
    private final List<String> entities;
    private final Double minScore;
    private final List<String> allowExact = new ArrayList<>();
    private final List<Pattern> allowPatterns = new ArrayList<>();
    private final Duration timeout;
    private final Map<String, List<Finding>> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Finding>> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    public PresidioDetector(String baseUrl, List<String> entities, Double minScore, List<String> allowList,
                            Duration timeout) {
        this.analyze = URI.create(baseUrl.endsWith("/") ? baseUrl + "analyze" : baseUrl + "/analyze");
        this.entities = List.copyOf(entities);
        this.minScore = minScore;
        for (int i = 0; i < allowList.size(); i++) {
            String a = allowList.get(i);
            if (a.length() >= 2 && a.startsWith("/") && a.endsWith("/")) {
                try {
                    allowPatterns.add(Pattern.compile(a.substring(1, a.length() - 1)));
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new RuleException("allowList[" + i + "]", "allow-list pattern " + i + " '" + a + "' is not a valid regular expression: "
                            + e.getDescription());
                }
            } else {
                allowExact.add(a);
            }
        }
        this.timeout = timeout;
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public Detection detect(List<String> texts, RuleSpec.Flow flow) {
        StringBuilder joined = new StringBuilder();
        int[] starts = new int[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            if (i > 0) {
                joined.append(SEPARATOR);
            }
            starts[i] = joined.length();
            joined.append(texts.get(i));
        }
        String text = joined.toString();
        List<Finding> all = analyze(text);
        List<List<Finding>> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(new ArrayList<>());
        }
        for (Finding f : all) {
            int idx = indexOf(starts, f.start());
            int s = f.start() - starts[idx];
            int e = Math.min(f.end() - starts[idx], texts.get(idx).length());
            if (e <= s) {
                continue;
            }
            String value = texts.get(idx).substring(s, e);
            if (allowPatterns.stream().anyMatch(p -> p.matcher(value).matches())) {
                continue;
            }
            out.get(idx).add(new Finding(f.entity(), s, e, f.score()));
        }
        return new Detection(out, false);
    }

    private static int indexOf(int[] starts, int offset) {
        int idx = 0;
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] <= offset) {
                idx = i;
            }
        }
        return idx;
    }

    /** Findings in Java offsets for one text, from the cache or one Presidio call. */
    List<Finding> analyze(String text) {
        String key = sha256(text);
        synchronized (cache) {
            List<Finding> hit = cache.get(key);
            if (hit != null) {
                return hit;
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("text", text);
        body.put("language", "en");
        if (!entities.isEmpty()) {
            ArrayNode e = body.putArray("entities");
            entities.forEach(e::add);
        }
        if (minScore != null) {
            body.put("score_threshold", minScore);
        }
        if (!allowExact.isEmpty()) {
            ArrayNode a = body.putArray("allow_list");
            allowExact.forEach(a::add);
        }
        OutboundHttp.Response resp = RemoteCalls.post(analyze, JSON.writeValueAsString(body), timeout, "Presidio analyzer");
        if (resp.status() != 200) {
            throw new DetectorException("Presidio analyzer answered HTTP " + resp.status());
        }
        List<Finding> found = parse(resp.text(), text);
        synchronized (cache) {
            cache.put(key, found);
        }
        return found;
    }

    /** Presidio's answer, a JSON array of {entity_type, start, end, score} in code points, as findings in UTF-16 offsets. */
    static List<Finding> parse(String body, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (RuntimeException e) {
            throw new DetectorException("Presidio analyzer answered something that is not JSON");
        }
        if (!(root instanceof ArrayNode arr)) {
            throw new DetectorException("Presidio analyzer answered JSON that is not a list of results");
        }
        int codePoints = text.codePointCount(0, text.length());
        List<Finding> out = new ArrayList<>(arr.size());
        for (JsonNode r : arr) {
            JsonNode type = r.get("entity_type");
            JsonNode start = r.get("start");
            JsonNode end = r.get("end");
            JsonNode score = r.get("score");
            if (type == null || !type.isString() || start == null || !start.isIntegralNumber() || end == null
                    || !end.isIntegralNumber() || score == null || !score.isNumber()) {
                throw new DetectorException("Presidio analyzer answered a result without entity_type, start, end and score");
            }
            int s = start.intValue();
            int e = end.intValue();
            if (s < 0 || e < s || e > codePoints) {
                throw new DetectorException("Presidio analyzer answered a span outside the text");
            }
            out.add(new Finding(type.stringValue(), text.offsetByCodePoints(0, s), text.offsetByCodePoints(0, e),
                    Math.max(0, Math.min(1, score.doubleValue()))));
        }
        return out;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
