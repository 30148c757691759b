package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

class InboundRouterTest {
    /** A sink that keeps what it was given. */
    static final class Inbox implements MessageSink {
        final List<ObjectNode> got = new CopyOnWriteArrayList<>();

        @Override
        public void deliver(UpstreamSession from, ObjectNode message) {
            got.add(message);
        }
    }

    private final PendingCalls calls = new PendingCalls();

    private static ObjectNode elicitation(int id) {
        return JsonRpc.request(id, "elicitation/create", Json.object());
    }

    @Test
    void onASharedProcessARequestGoesToTheOnlyCallInFlightElseItIsRefusedUpstream() {
        RecordingUpstream upstream = new RecordingUpstream(true);
        InboundRouter router = new InboundRouter(upstream);
        Inbox alice = new Inbox();
        Inbox bob = new Inbox();
        router.addListener(alice);

        calls.open(alice, null);
        router.route(elicitation(1), "elicitation/create", null, calls, true);
        assertThat(alice.got).hasSize(1);

        calls.open(bob, null);
        router.route(elicitation(2), "elicitation/create", null, calls, true);
        assertThat(alice.got).as("nobody is guessed").hasSize(1);
        assertThat(bob.got).isEmpty();
        assertThat(upstream.sent).singleElement().satisfies(refusal -> {
            assertThat(refusal.path("id").asInt()).isEqualTo(2);
            assertThat(refusal.path("error").path("code").asInt()).isEqualTo(JsonRpc.INTERNAL_ERROR);
            assertThat(refusal.path("error").path("message").asString()).contains("2 calls are in flight");
        });
    }

    @Test
    void onASharedProcessUpdatesReachSubscribersAndListChangesEveryone() {
        InboundRouter router = new InboundRouter(new RecordingUpstream(true));
        Inbox subscriber = new Inbox();
        Inbox other = new Inbox();
        router.addListener(subscriber);
        router.addListener(other);
        router.subscribed("file:///a", subscriber);

        ObjectNode update = JsonRpc.notification("notifications/resources/updated", Json.object().put("uri", "file:///a"));
        router.route(update, "notifications/resources/updated", null, calls, true);
        assertThat(subscriber.got).hasSize(1);
        assertThat(other.got).isEmpty();

        router.route(JsonRpc.notification("notifications/tools/list_changed", null), "notifications/tools/list_changed", null,
                calls, true);
        assertThat(subscriber.got).hasSize(2);
        assertThat(other.got).hasSize(1);

        router.removeListener(subscriber);
        router.route(update, "notifications/resources/updated", null, calls, true);
        assertThat(subscriber.got).as("a removed listener loses its subscriptions").hasSize(2);
    }

    @Test
    void onAClientsOwnSessionARequestGoesToTheCallItsStreamCarriedOrTheLatestElseAListener() {
        RecordingUpstream upstream = new RecordingUpstream(false);
        InboundRouter router = new InboundRouter(upstream);
        Inbox stream = new Inbox();
        Inbox call = new Inbox();
        Inbox listener = new Inbox();

        router.route(elicitation(1), "elicitation/create", null, calls, false);
        assertThat(upstream.sent).singleElement()
                .satisfies(m -> assertThat(m.path("error").path("code").asInt()).isEqualTo(JsonRpc.METHOD_NOT_FOUND));

        router.addListener(listener);
        PendingCall carrying = calls.open(stream, null);
        router.route(elicitation(2), "elicitation/create", carrying, calls, false);
        assertThat(stream.got).hasSize(1);

        calls.open(call, null);
        router.route(elicitation(3), "elicitation/create", null, calls, false);
        assertThat(call.got).as("legacy SSE: the call started last").hasSize(1);

        router.route(JsonRpc.notification("notifications/message", Json.object()), "notifications/message", null, calls, false);
        assertThat(listener.got).as("a notification outside a call goes to the listeners").hasSize(1);
    }

    @Test
    void aListChangeEmptiesTheSessionsCacheAndTellsTheObservers() {
        RecordingUpstream upstream = new RecordingUpstream(false);
        List<String> observed = new CopyOnWriteArrayList<>();
        upstream.onListChanged(observed::add);
        upstream.dispatch(JsonRpc.notification("notifications/prompts/list_changed", null), null);
        assertThat(observed).containsExactly("prompts");
    }
}
