package gatehouse.policy.rules;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import gatehouse.platform.OutboundHttp;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code webhook} rule: an external DLP or guardrail service decides. Two wire shapes:
 * <ul>
 * <li>{@code generic}, Gatehouse's own: {@code POST {texts: [..], flow: "request"|"response"}} →
 * {@code {verdict: "allow"|"block"|"redact", redactions?: [{index, start, end, entity?}]}}, spans
 * in UTF-16 code units of {@code texts[index]} (JavaScript string indexes);</li>
 * <li>{@code bedrock}, AWS Bedrock's ApplyGuardrail: {@code {source: "INPUT"|"OUTPUT", content: [{text: {text}}]}}
 * → {@code {action: "NONE"|"GUARDRAIL_INTERVENED", assessments: [..]}}; a {@code BLOCKED} policy
 * action blocks, anonymized sensitive-information matches become findings by their entity type.
 * Request signing (SigV4) is left to a signing proxy in front of Bedrock, which the URL names.</li>
 * </ul>
 * An answer that does not fit the shape is an error, handled by the rule's failure mode.
 */
public final class WebhookDetector implements Detector {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI url;
    private final boolean bedrock;
    private final Duration timeout;

    public WebhookDetector(String url, String format, Duration timeout) {
        this.url = URI.create(url);
        this.bedrock = "bedrock".equals(format);
        this.timeout = timeout;
    }

    @Override
    public boolean remote() {
        return true;
    }

    /** Scans as content flowing {@code flow} (the service may judge input and output differently). */
    @Override
    public Detection detect(List<String> texts, RuleSpec.Flow flow) {
        ObjectNode body = bedrock ? bedrockRequest(texts, flow) : genericRequest(texts, flow);
        OutboundHttp.Response resp = RemoteCalls.post(url, JSON.writeValueAsString(body), timeout, "DLP webhook");
        if (resp.status() / 100 != 2) {
            throw new DetectorException("DLP webhook answered HTTP " + resp.status());
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(resp.text());
        } catch (RuntimeException e) {
            throw new DetectorException("DLP webhook answered something that is not JSON");
        }
        if (!(answer instanceof ObjectNode o)) {
            throw new DetectorException("DLP webhook answered JSON that is not an object");
        }
        return bedrock ? bedrockVerdict(o, texts) : genericVerdict(o, texts);
    }

    static ObjectNode genericRequest(List<String> texts, RuleSpec.Flow flow) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode t = body.putArray("texts");
        texts.forEach(t::add);
        body.put("flow", flow.name().toLowerCase(Locale.ROOT));
        return body;
    }

    static Detection genericVerdict(ObjectNode o, List<String> texts) {
        JsonNode verdict = o.get("verdict");
        if (verdict == null || !verdict.isString()) {
            throw new DetectorException("DLP webhook answer has no verdict");
        }
        List<List<Finding>> out = empty(texts.size());
        switch (verdict.stringValue()) {
            case "allow" -> {
                return new Detection(out, false);
            }
            case "block" -> {
                return new Detection(out, true);
            }
            case "redact" -> {
                JsonNode reds = o.get("redactions");
                if (!(reds instanceof ArrayNode arr)) {
                    throw new DetectorException("DLP webhook verdict redact without a redactions list");
                }
                for (JsonNode r : arr) {
                    JsonNode i = r.get("index");
                    JsonNode s = r.get("start");
                    JsonNode e = r.get("end");
                    if (i == null || s == null || e == null || !i.isIntegralNumber() || !s.isIntegralNumber() || !e.isIntegralNumber()) {
                        throw new DetectorException("DLP webhook redaction without integer index, start and end");
                    }
                    int idx = i.intValue();
                    if (idx < 0 || idx >= texts.size() || s.intValue() < 0 || e.intValue() < s.intValue()
                            || e.intValue() > texts.get(idx).length()) {
                        throw new DetectorException("DLP webhook redaction outside the texts sent");
                    }
                    JsonNode ent = r.get("entity");
                    out.get(idx).add(new Finding(ent != null && ent.isString() ? ent.stringValue() : "DLP", s.intValue(), e.intValue(), 1.0));
                }
                return new Detection(out, false);
            }
            default -> throw new DetectorException("DLP webhook verdict is not allow, block or redact");
        }
    }

    static ObjectNode bedrockRequest(List<String> texts, RuleSpec.Flow flow) {
        ObjectNode body = JSON.createObjectNode();
        body.put("source", flow == RuleSpec.Flow.REQUEST ? "INPUT" : "OUTPUT");
        ArrayNode content = body.putArray("content");
        for (String t : texts) {
            content.addObject().putObject("text").put("text", t);
        }
        return body;
    }

    static Detection bedrockVerdict(ObjectNode o, List<String> texts) {
        JsonNode action = o.get("action");
        if (action == null || !action.isString()) {
            throw new DetectorException("guardrail answer has no action");
        }
        List<List<Finding>> out = empty(texts.size());
        if (action.stringValue().equals("NONE")) {
            return new Detection(out, false);
        }
        if (!action.stringValue().equals("GUARDRAIL_INTERVENED")) {
            throw new DetectorException("guardrail action is neither NONE nor GUARDRAIL_INTERVENED");
        }
        JsonNode assessments = o.get("assessments");
        if (!(assessments instanceof ArrayNode arr)) {
            throw new DetectorException("guardrail intervened without assessments");
        }
        boolean block = false;
        boolean found = false;
        for (JsonNode a : arr) {
            for (JsonNode policy : a) {
                for (JsonNode list : policy) {
                    if (!list.isArray()) {
                        continue;
                    }
                    for (JsonNode item : list) {
                        String act = item.path("action").isString() ? item.get("action").stringValue() : "";
                        if (act.equals("BLOCKED")) {
                            block = true;
                        } else if (act.equals("ANONYMIZED") && item.path("match").isString()) {
                            String type = item.path("type").isString() ? item.get("type").stringValue()
                                    : item.path("name").isString() ? item.get("name").stringValue() : "GUARDRAIL";
                            found |= locate(item.get("match").stringValue(), type, texts, out);
                        }
                    }
                }
            }
        }
        // an intervention that names nothing we can place is treated as a block: never pass what it objected to
        return new Detection(out, block || !found);
    }

    private static boolean locate(String match, String type, List<String> texts, List<List<Finding>> out) {
        boolean any = false;
        if (match.isEmpty()) {
            return false;
        }
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            for (int at = t.indexOf(match); at >= 0; at = t.indexOf(match, at + match.length())) {
                out.get(i).add(new Finding(type, at, at + match.length(), 1.0));
                any = true;
            }
        }
        return any;
    }

    private static List<List<Finding>> empty(int n) {
        List<List<Finding>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        return out;
    }
}
