package gatehouse.policy.provisioning;

import java.util.Arrays;

/** The four kinds of feature an MCP server lists. */
public enum FeatureKind {
    TOOL("tool", "tools", "name"),
    PROMPT("prompt", "prompts", "name"),
    RESOURCE("resource", "resources", "uri"),
    RESOURCE_TEMPLATE("resource-template", "resourceTemplates", "uriTemplate");

    private final String wire;
    private final String listKey;
    private final String keyField;

    FeatureKind(String wire, String listKey, String keyField) {
        this.wire = wire;
        this.listKey = listKey;
        this.keyField = keyField;
    }

    /** The name in the admin API: {@code tool}, {@code prompt}, {@code resource}, {@code resource-template}. */
    public String wire() {
        return wire;
    }

    /** The member of a list result that holds the items ({@code tools}, …, {@code resourceTemplates}). */
    public String listKey() {
        return listKey;
    }

    /** The item field that identifies a feature on its server: a name, a URI or a URI template. */
    public String keyField() {
        return keyField;
    }

    /** Tools and prompts get the assignment's prefix; resource URIs are not renamed. */
    public boolean prefixed() {
        return this == TOOL || this == PROMPT;
    }

    /** The notification that tells clients this kind's list changed. */
    public String listChangedMethod() {
        return switch (this) {
            case TOOL -> "notifications/tools/list_changed";
            case PROMPT -> "notifications/prompts/list_changed";
            case RESOURCE, RESOURCE_TEMPLATE -> "notifications/resources/list_changed";
        };
    }

    public static FeatureKind fromWire(String wire) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown feature kind '" + wire
                        + "'; expected tool, prompt, resource or resource-template"));
    }

    public static FeatureKind fromListKey(String listKey) {
        return switch (listKey) { // on every list part of every list: no stream, no copy of values()
            case "tools" -> TOOL;
            case "prompts" -> PROMPT;
            case "resources" -> RESOURCE;
            case "resourceTemplates" -> RESOURCE_TEMPLATE;
            default -> throw new IllegalArgumentException("unknown list '" + listKey + "'");
        };
    }
}
