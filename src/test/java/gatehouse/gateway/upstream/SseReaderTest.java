package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SseReaderTest {

    @Test
    void readsEventsWithIdsNamesMultilineDataAndSkipsComments() throws IOException {
        String stream = ": keep-alive\n\n"
                + "event: endpoint\ndata: /message?sessionId=1\n\n"
                + "id: 7\ndata: {\"a\":\ndata: 1}\n\n"
                + "data:no-space\n\n"
                + "data: last-without-blank-line";
        try (SseReader r = new SseReader(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)))) {
            SseReader.Event e1 = r.next();
            assertThat(e1.name()).isEqualTo("endpoint");
            assertThat(e1.data()).isEqualTo("/message?sessionId=1");
            SseReader.Event e2 = r.next();
            assertThat(e2.name()).isEqualTo("message");
            assertThat(e2.id()).isEqualTo("7");
            assertThat(e2.data()).isEqualTo("{\"a\":\n1}");
            assertThat(r.next().data()).isEqualTo("no-space");
            assertThat(r.next().data()).isEqualTo("last-without-blank-line");
            assertThat(r.next()).isNull();
            assertThat(r.lastEventId()).isEqualTo("7");
        }
    }
}
