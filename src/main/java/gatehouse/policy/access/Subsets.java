package gatehouse.policy.access;

import java.util.Set;

/**
 * What one team sees of a gateway it holds, per feature kind: the exposed tool and prompt names and
 * the resource URIs (or URI templates) it may list and use. A null set means every feature of that
 * kind, so a team granted a tool subset alone still sees every prompt and resource.
 */
public record Subsets(Set<String> tools, Set<String> prompts, Set<String> resources) {
    /** Every tool, prompt and resource. */
    public static final Subsets EVERYTHING = new Subsets(null, null, null);

    public Subsets {
        tools = tools == null ? null : Set.copyOf(tools);
        prompts = prompts == null ? null : Set.copyOf(prompts);
        resources = resources == null ? null : Set.copyOf(resources);
    }

    /** The subset of {@code kind} ({@code tools}, {@code prompts}, {@code resources}); null for every one. */
    public Set<String> of(String kind) {
        return switch (kind) {
            case "tools" -> tools;
            case "prompts" -> prompts;
            case "resources", "resourceTemplates" -> resources;
            default -> throw new IllegalArgumentException("no subsets of " + kind);
        };
    }

    public boolean everything() {
        return tools == null && prompts == null && resources == null;
    }
}
