package gatehouse.gateway.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import gatehouse.gateway.protocol.JsonRpc;

/**
 * A step that only tests register: it records every relayed message it is shown, per connection,
 * so a test can prove no message crosses the gateway unseen; and it flags a decision on calls to a
 * tool named {@link #FLAGGED_TOOL}, so a test can follow a decision into the log record. Placed
 * last, after audit, it sees what the client or upstream really receives.
 */
public final class CountingStep {
    public static final String NAME = "counting";
    /** Calls to a tool of this upstream name are flagged. */
    public static final String FLAGGED_TOOL = "test_simple_text";

    /** One relayed message as the step saw it. */
    public record Seen(String connectionId, Exchange.Generation generation, Relayed.Direction direction, Relayed.Kind kind,
                       String method, String serverId) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** The step itself; not a bean of its own, so the production step list stays as it is. */
    private final Step step = new Step() {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Verdict onRelay(Exchange exchange, Relayed message) {
            return CountingStep.this.onRelay(exchange, message);
        }

        @Override
        public Verdict beforeUpstream(Exchange exchange) {
            return CountingStep.this.beforeUpstream(exchange);
        }
    };

    public Step step() {
        return step;
    }

    Verdict onRelay(Exchange exchange, Relayed message) {
        Exchange.Caller caller = exchange.caller();
        String method = JsonRpc.method(message.message());
        seen.add(new Seen(caller == null ? null : caller.connectionId(), exchange.generation(), message.direction(), message.kind(),
                method, message.serverId()));
        return Verdict.pass();
    }

    Verdict beforeUpstream(Exchange exchange) {
        if ("tools/call".equals(exchange.method()) && exchange.route() != null
                && FLAGGED_TOOL.equals(exchange.route().upstreamName())) {
            return Verdict.flag(new Decision(NAME, "alert", java.util.Map.of("reason", "test flag")));
        }
        return Verdict.pass();
    }

    /** What was seen on one connection's traffic. */
    public List<Seen> seenBy(String connectionId) {
        List<Seen> mine = new ArrayList<>();
        for (Seen s : seen) {
            if (connectionId.equals(s.connectionId())) {
                mine.add(s);
            }
        }
        return mine;
    }

    /** Registers the step behind the production steps of the data-plane test context. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Registration {
        @Bean
        CountingStep countingStep() {
            return new CountingStep();
        }

        @Bean
        @Primary
        PipelineSteps pipelineStepsWithCounting(ObjectProvider<Step> production, CountingStep counting) {
            List<Step> steps = new ArrayList<>(production.stream().toList());
            steps.add(counting.step());
            List<String> order = new ArrayList<>(PipelineSteps.ORDER);
            order.add(NAME);
            return new PipelineSteps(steps, order);
        }
    }
}
