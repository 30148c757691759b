package gatehouse.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;

import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import tools.jackson.databind.JsonNode;

/**
 * Alerts reach people: a webhook receiver, a Slack-style incoming webhook and a real SMTP server
 * (GreenMail) on loopback get exactly the alerts routed to them; a receiver that fails at first
 * gets the alert on a retry; repeats of an open alert are counted, not sent again.
 */
class AlertDeliveryTest extends GatewayTestSupport {
    @Autowired AlertService alerts;
    private final List<AutoCloseable> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopReceivers() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
    }

    /** A loopback HTTP receiver that answers 500 to its first {@code failFirst} posts. */
    private record Receiver(HttpServer server, List<String> bodies, AtomicInteger posts) {
        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }
    }

    private Receiver receiver(int failFirst) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger posts = new AtomicInteger();
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = posts.incrementAndGet();
            if (n > failFirst) {
                bodies.add(body);
            }
            ex.sendResponseHeaders(n > failFirst ? 200 : 500, -1);
            ex.close();
        });
        server.start();
        servers.add(() -> server.stop(0));
        return new Receiver(server, bodies, posts);
    }

    @Test
    void alertsAreDeliveredByTypeToWebhookSlackAndMail() throws Exception {
        Receiver hook = receiver(1); // fails once: delivered on the retry
        Receiver slack = receiver(0);
        int smtpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        servers.add(mail::stop);

        String type = unique("test-alert");
        String other = unique("other-alert");
        AdminClient.Answer created = admin.send("POST", "/alert-channels",
                Map.of("name", unique("hook"), "type", "webhook", "url", hook.url("/hook/s3cr3t"), "alertTypes", List.of(type)));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().path("urlOrigin").asString()).startsWith("http://127.0.0.1:");
        assertThat(created.text()).doesNotContain("s3cr3t");
        assertThat(admin.send("POST", "/alert-channels", Map.of("name", unique("slack"), "type", "slack", "url", slack.url("/services/T/B/x"),
                "alertTypes", List.of(type, other))).status()).isEqualTo(201);
        AdminClient.Answer smtp = admin.send("POST", "/alert-channels", Map.of("name", unique("mail"), "type", "smtp", "smtp",
                Map.of("host", "127.0.0.1", "port", smtpPort, "from", "gatehouse@example.org", "to", List.of("oncall@example.org")),
                "alertTypes", List.of(other)));
        assertThat(smtp.status()).as(smtp.text()).isEqualTo(201);
        assertThat(admin.send("POST", "/alert-channels", Map.of("name", unique("bad"), "type", "pager")).status()).isEqualTo(400);
        assertThat(admin.send("POST", "/alert-channels", Map.of("name", unique("bad"), "type", "webhook", "url", "ftp://x")).status())
                .isEqualTo(400);

        Alert first = alerts.raise(type, Alert.WARNING, "server s1", "upstream s1 is unreachable", new AlertService.About(null, null, null),
                null);
        Alert again = alerts.raise(type, Alert.WARNING, "server s1", "upstream s1 is unreachable", new AlertService.About(null, null, null),
                null);
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.occurrences()).isEqualTo(2);
        alerts.raise(other, Alert.CRITICAL, "tool t", "tool t changed after approval", new AlertService.About(null, null, null), null);

        await().atMost(Duration.ofSeconds(30)).until(() -> hook.bodies().size() == 1 && slack.bodies().size() == 2
                && mail.getReceivedMessages().length == 1);
        assertThat(hook.posts().get()).isEqualTo(2); // one refused, one retried
        JsonNode delivered = Json.tree(hook.bodies().getFirst());
        assertThat(delivered.path("id").asString()).isEqualTo(first.id());
        assertThat(delivered.path("type").asString()).isEqualTo(type);
        assertThat(slack.bodies()).allSatisfy(b -> assertThat(Json.tree(b).path("text").asString()).isNotBlank());
        assertThat(slack.bodies()).anySatisfy(b -> assertThat(b).contains("upstream s1 is unreachable"));
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).contains(other).contains("tool t");
        assertThat(GreenMailUtil.getBody(m)).contains("tool t changed after approval");
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("oncall@example.org");

        // the repeat was counted, not delivered again; nothing more arrives
        assertThat(admin.send("GET", "/alerts/" + first.id(), null).body().path("occurrences").asInt()).isEqualTo(2);
        List<JsonNode> channels = admin.send("GET", "/alert-channels", null).body().valueStream().toList();
        assertThat(channels).anySatisfy(c -> assertThat(c.path("lastSentAt").isNull()).isFalse());
    }

    @Test
    void aTestSendReachesTheReceiverAndAnswersWhatHappened() throws Exception {
        Receiver ok = receiver(0);
        Receiver failing = receiver(Integer.MAX_VALUE);
        // Routed only a type nobody raises: a channel for every type would also get the alerts other
        // tests cause in this shared application (servers they left behind turn unreachable), while
        // a test send is not routed by type.
        List<String> none = List.of(unique("never-raised"));
        String okId = admin.expect(201, "POST", "/alert-channels",
                Map.of("name", unique("hook-ok"), "type", "webhook", "url", ok.url("/hook/s3cr3t"), "alertTypes", none)).path("id").asString();
        String failingId = admin.expect(201, "POST", "/alert-channels",
                Map.of("name", unique("hook-500"), "type", "slack", "url", failing.url("/services/T/B/s3cr3t"), "alertTypes", none))
                .path("id").asString();
        String deadId = admin.expect(201, "POST", "/alert-channels",
                Map.of("name", unique("hook-dead"), "type", "webhook", "url", gatehouse.testing.RefusedPort.url("/hook/s3cr3t"), "alertTypes", none))
                .path("id").asString();

        AdminClient.Answer delivered = admin.send("POST", "/alert-channels/" + okId + "/test", null);
        assertThat(delivered.status()).as(delivered.text()).isEqualTo(200);
        assertThat(delivered.body().path("delivered").asBoolean()).isTrue();
        assertThat(delivered.body().path("status").asInt()).isEqualTo(200);
        assertThat(delivered.body().path("error").isNull()).isTrue();
        assertThat(delivered.text()).doesNotContain("s3cr3t");
        // the receiver got it at once (the answer waited for it), a test alert naming the channel and the caller
        assertThat(ok.bodies()).hasSize(1);
        JsonNode body = Json.tree(ok.bodies().getFirst());
        assertThat(body.path("type").asString()).isEqualTo("test");
        assertThat(body.path("subject").asString()).contains("hook-ok");
        assertThat(body.path("message").asString()).contains("admin-token:");
        // a test alert is not stored as an alert
        assertThat(admin.expect(200, "GET", "/alerts", null).toString()).doesNotContain(body.path("id").asString());
        assertThat(admin.expect(200, "GET", "/alert-channels/" + okId, null).path("lastSentAt").isNull()).isFalse();

        AdminClient.Answer refused = admin.send("POST", "/alert-channels/" + failingId + "/test", null);
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body().path("delivered").asBoolean()).isFalse();
        assertThat(refused.body().path("status").asInt()).isEqualTo(500);
        assertThat(refused.body().path("error").asString()).contains("HTTP 500");
        assertThat(refused.text()).doesNotContain("s3cr3t");
        assertThat(failing.posts().get()).as("one attempt, no retries for a test").isEqualTo(1);
        assertThat(admin.expect(200, "GET", "/alert-channels/" + failingId, null).path("lastError").asString()).contains("HTTP 500");

        AdminClient.Answer dead = admin.send("POST", "/alert-channels/" + deadId + "/test", null);
        assertThat(dead.body().path("delivered").asBoolean()).isFalse();
        assertThat(dead.body().path("status").isNull()).isTrue();
        assertThat(dead.body().path("error").asString()).isNotBlank();
        assertThat(dead.text()).doesNotContain("s3cr3t");

        assertThat(admin.send("POST", "/alert-channels/ach_missing/test", null).status()).isEqualTo(404);
    }

    @Test
    void aTestSendByMailArrives() throws Exception {
        int smtpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.setUser("gatehouse@example.org", "u", "pa55word-s3cr3t"); // the sealed password must reach the server
        mail.start();
        servers.add(mail::stop);
        String id = admin.expect(201, "POST", "/alert-channels", Map.of("name", unique("mail"), "type", "smtp", "smtp",
                Map.of("host", "127.0.0.1", "port", smtpPort, "from", "gatehouse@example.org", "to", List.of("oncall@example.org"),
                        "username", "u", "password", "pa55word-s3cr3t"), "alertTypes", List.of(unique("never-raised")))).path("id").asString();
        AdminClient.Answer sent = admin.send("POST", "/alert-channels/" + id + "/test", null);
        assertThat(sent.body().path("delivered").asBoolean()).as(sent.text()).isTrue();
        assertThat(sent.text()).doesNotContain("s3cr3t");
        assertThat(mail.getReceivedMessages()).hasSize(1);
        assertThat(mail.getReceivedMessages()[0].getSubject()).contains("test");
    }

    @Test
    void aWebhookWhoseNameResolvesToCloudMetadataIsRefusedAndOneResolvingToLoopbackIsDelivered() throws Exception {
        Receiver hook = receiver(0);
        int port = hook.server().getAddress().getPort();
        String type = unique("ssrf-alert");
        AdminClient.Answer metadata = admin.send("POST", "/alert-channels", Map.of("name", unique("metadata"), "type", "webhook",
                "url", "http://" + gatehouse.testing.TestNameResolver.METADATA + ":" + port + "/latest/meta-data/s3cr3t", "alertTypes", List.of(type)));
        assertThat(metadata.status()).isEqualTo(201);
        AdminClient.Answer local = admin.send("POST", "/alert-channels", Map.of("name", unique("local"), "type", "webhook",
                "url", "http://" + gatehouse.testing.TestNameResolver.LOOPBACK + ":" + port + "/hook", "alertTypes", List.of(type)));
        assertThat(local.status()).isEqualTo(201);

        alerts.raise(type, Alert.WARNING, "server s9", "upstream s9 is unreachable", new AlertService.About(null, null, null), null);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(hook.bodies()).hasSize(1));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode refused = admin.send("GET", "/alert-channels", null).body().valueStream()
                    .filter(c -> c.path("id").asString().equals(metadata.body().path("id").asString())).findFirst().orElseThrow();
            assertThat(refused.path("lastError").asString("")).contains("special address").doesNotContain("s3cr3t").doesNotContain("meta-data");
        });
        assertThat(hook.posts().get()).as("only the loopback channel's post arrived").isEqualTo(1);
    }
}
