package gatehouse.audit;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

/**
 * Counts tokens (o200k_base, jtokkit) of what a model reads, not of the JSON-RPC envelope around
 * it: a tool's result is the text of its content blocks (and its structured content), a prompt is
 * the text of its messages, a resource the text of its contents. Binary blocks (images, audio)
 * are not text tokens and are not counted. Anything else (call arguments, lists of tool
 * definitions the model reads as JSON) is counted as compact JSON. Runs on the audit writer's
 * thread, never on the request path.
 */
final class TokenCounter {
    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    Integer input(String method, JsonNode input) {
        return present(input) ? count(Json.string(input)) : null;
    }

    Integer output(String method, JsonNode output) {
        if (!present(output)) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        switch (method == null ? "" : method) {
            case "tools/call" -> {
                contentText(output.path("content"), text);
                if (output.has("structuredContent") && text.isEmpty()) {
                    text.append(Json.string(output.get("structuredContent")));
                }
            }
            case "prompts/get" -> {
                for (JsonNode m : output.path("messages")) {
                    contentText(m.path("content").isArray() ? m.path("content") : Json.array().add(m.path("content")), text);
                }
            }
            case "resources/read" -> {
                for (JsonNode c : output.path("contents")) {
                    appendText(c.path("text"), text);
                }
            }
            default -> text.append(Json.string(output));
        }
        return count(text.toString());
    }

    int count(String text) {
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    private static void contentText(JsonNode blocks, StringBuilder text) {
        for (JsonNode b : blocks) {
            switch (b.path("type").asString("")) {
                case "text" -> appendText(b.path("text"), text);
                case "resource" -> appendText(b.path("resource").path("text"), text);
                case "resource_link" -> appendText(b.path("uri"), text);
                default -> {
                    // image, audio: not text the tokenizer can count
                }
            }
        }
    }

    private static void appendText(JsonNode node, StringBuilder text) {
        if (node.isString()) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(node.asString());
        }
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }
}
