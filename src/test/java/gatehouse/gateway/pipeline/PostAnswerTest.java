package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.EventStream;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * Whether a message the gateway sends on a request's answer stream went out. A question the
 * gateway asks the client (URL elicitation for consent) waits for the client's answer; if the
 * question was never delivered, that wait would last until the consent timeout. The response
 * here is a stand-in whose stream fails on write: a client that vanishes between the stream's
 * head and its first event cannot be timed reliably with a real connection.
 */
class PostAnswerTest {
    private static final class Response implements McpHttpResponse {
        final List<String> events = new ArrayList<>();
        boolean failWrites;
        boolean streamOpened;

        @Override
        public void header(String name, String value) {
        }

        @Override
        public void json(int status, byte[] body) {
        }

        @Override
        public void empty(int status) {
        }

        @Override
        public EventStream stream() {
            streamOpened = true;
            return new EventStream() {
                @Override
                public void event(String id, byte[] data) throws IOException {
                    if (failWrites) {
                        throw new IOException("Broken pipe");
                    }
                    events.add(new String(data, java.nio.charset.StandardCharsets.UTF_8));
                }

                @Override
                public void comment(String text) {
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public boolean committed() {
            return streamOpened;
        }
    }

    private static ObjectNode question() {
        return JsonRpc.request("gh-1", "elicitation/create", Json.object().put("mode", "url"));
    }

    @Test
    void aDeliveredMessageIsSaidToBeDelivered() {
        Response http = new Response();
        PostAnswer answer = new PostAnswer(http);
        assertThat(answer.deliver(question())).isTrue();
        assertThat(http.events).singleElement().asString().contains("elicitation/create");
    }

    @Test
    void aMessageTheStreamCouldNotCarryIsSaidToBeLostAndSoIsEveryLaterOne() {
        Response http = new Response();
        http.failWrites = true;
        PostAnswer answer = new PostAnswer(http);
        assertThat(answer.deliver(question())).isFalse();
        http.failWrites = false;
        assertThat(answer.deliver(question())).as("the stream broke: nothing more goes out on it").isFalse();
        assertThat(http.events).isEmpty();
    }

    @Test
    void nothingIsDeliveredAfterTheAnswerEnded() {
        Response http = new Response();
        PostAnswer answer = new PostAnswer(http);
        answer.abandon();
        assertThat(answer.deliver(question())).isFalse();
    }
}
