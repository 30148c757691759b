package gatehouse.gateway.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

/**
 * The one place that orders the pipeline's steps. Every {@link Step} bean is placed by its name in
 * {@link #ORDER}; a step whose name is missing there fails start-up, so no step runs in an order
 * nobody chose. Why this order:
 * <ol>
 * <li>{@code rate-limit} before anything else: a flood is refused for the price of a map look-up,
 * and a throttled request learns nothing about the gateway's tools;</li>
 * <li>{@code access} next: a caller who may not use a tool learns nothing else about it;</li>
 * <li>{@code provisioning}, then {@code param-headers}: exposure before protocol checks, so a header
 * check never reveals a feature the gateway hides; both before content;</li>
 * <li>{@code rules} on what is left, then {@code consent} (asking a person for a missing
 * credential) only for calls that will really go out;</li>
 * <li>{@code telemetry} and {@code audit} last, so they record every decision made before them.</li>
 * </ol>
 */
@Component
public class PipelineSteps {

    public static final List<String> ORDER = List.of(
            "rate-limit", "access", "provisioning", "param-headers", "rules", "consent", "telemetry", "audit");

    private final List<Step> steps;

    /** The given steps (every {@link Step} bean in the running gateway), ordered by {@link #ORDER}. */
    @org.springframework.beans.factory.annotation.Autowired
    public PipelineSteps(List<Step> beans) {
        this(beans, ORDER);
    }

    /** For tests that add a step of their own: the given steps in the given order. */
    public PipelineSteps(List<Step> beans, List<String> order) {
        Map<String, Step> byName = beans.stream().collect(Collectors.toMap(Step::name, Function.identity(), (a, b) -> {
            throw new IllegalStateException("two pipeline steps are named " + a.name());
        }));
        for (String name : byName.keySet()) {
            if (!order.contains(name)) {
                throw new IllegalStateException("pipeline step '" + name + "' has no place in PipelineSteps.ORDER");
            }
        }
        List<Step> ordered = new ArrayList<>();
        for (String name : order) {
            Step s = byName.get(name);
            if (s != null) {
                ordered.add(s);
            }
        }
        this.steps = List.copyOf(ordered);
    }

    /** The steps in pipeline order. */
    public List<Step> all() {
        return steps;
    }
}
