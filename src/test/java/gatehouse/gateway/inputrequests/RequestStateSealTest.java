package gatehouse.gateway.inputrequests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import gatehouse.platform.SecretBox;
import tools.jackson.databind.node.ObjectNode;

class RequestStateSealTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final String BINDING = "conn_a\nsrv_1\nabc";

    private final RequestStateSeal seal = new RequestStateSeal(KEY, Clock.fixed(NOW, ZoneOffset.UTC));

    private static RequestState payload() {
        ObjectNode answers = Json.object();
        answers.putObject("user_name").put("action", "accept");
        return new RequestState.Bridged("handle", 2, answers);
    }

    private static String callId(RequestState state) {
        return ((RequestState.Bridged) state).callId();
    }

    @Test
    void aSealedStateOpensForTheSameBindingWithItsPayload() {
        String state = seal.seal(payload(), BINDING, Duration.ofMinutes(10));
        RequestState.Bridged opened = (RequestState.Bridged) seal.open(state, BINDING);
        assertThat(opened.callId()).isEqualTo("handle");
        assertThat(opened.round()).isEqualTo(2);
        assertThat(opened.answers().path("user_name").path("action").asString()).isEqualTo("accept");
    }

    @Test
    void anUpstreamsOwnStateTravelsInsideOursWithOrWithoutAValue() {
        RequestState withValue = seal.open(seal.seal(new RequestState.Upstream("opaque-upstream-state"), BINDING, Duration.ofMinutes(1)), BINDING);
        assertThat(withValue).isEqualTo(new RequestState.Upstream("opaque-upstream-state"));
        RequestState without = seal.open(seal.seal(new RequestState.Upstream(null), BINDING, Duration.ofMinutes(1)), BINDING);
        assertThat(without).isEqualTo(new RequestState.Upstream(null));
        assertThatThrownBy(() -> new RequestState.Bridged("", 1, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEditedPayloadIsRefused() {
        String state = seal.seal(payload(), BINDING, Duration.ofMinutes(10));
        String body = state.substring("ghrs1.".length(), state.lastIndexOf('.'));
        ObjectNode edited = (ObjectNode) Json.MAPPER.readTree(Base64.getUrlDecoder().decode(body));
        edited.put("r", 1); // pretend to be an earlier round
        String forged = "ghrs1." + Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(edited))
                + state.substring(state.lastIndexOf('.'));
        assertThatThrownBy(() -> seal.open(forged, BINDING)).isInstanceOf(RequestStateSeal.InvalidStateException.class)
                .satisfies(e -> assertThat(((RequestStateSeal.InvalidStateException) e).reason()).isEqualTo("mac"));
    }

    @Test
    void tamperedOrMalformedStatesAreRefused() {
        String state = seal.seal(payload(), BINDING, Duration.ofMinutes(10));
        for (String bad : List.of(state + "-TAMPERED", state.substring(0, state.length() - 2), "x" + state, "ghrs1.", "ghrs1.a.b.c",
                "", state.replace('.', '!'))) {
            assertThatThrownBy(() -> seal.open(bad, BINDING)).as(bad).isInstanceOf(RequestStateSeal.InvalidStateException.class);
        }
        assertThatThrownBy(() -> seal.open(null, BINDING)).isInstanceOf(RequestStateSeal.InvalidStateException.class);
    }

    @Test
    void aStateIssuedForAnotherConnectionOrRequestIsRefused() {
        String state = seal.seal(payload(), BINDING, Duration.ofMinutes(10));
        assertThatThrownBy(() -> seal.open(state, "conn_b\nsrv_1\nabc")).isInstanceOf(RequestStateSeal.InvalidStateException.class);
        assertThatThrownBy(() -> seal.open(state, "conn_a\nsrv_1\nother-arguments"))
                .isInstanceOf(RequestStateSeal.InvalidStateException.class);
    }

    @Test
    void anExpiredStateIsRefused() {
        String state = seal.seal(payload(), BINDING, Duration.ofMinutes(10));
        RequestStateSeal later = new RequestStateSeal(KEY, Clock.fixed(NOW.plus(Duration.ofMinutes(11)), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.open(state, BINDING)).isInstanceOf(RequestStateSeal.InvalidStateException.class)
                .satisfies(e -> assertThat(((RequestStateSeal.InvalidStateException) e).reason()).isEqualTo("expired"));
        RequestStateSeal justInTime = new RequestStateSeal(KEY, Clock.fixed(NOW.plus(Duration.ofMinutes(9)), ZoneOffset.UTC));
        assertThat(callId(justInTime.open(state, BINDING))).isEqualTo("handle");
    }

    @Test
    void anotherKeyCannotOpenIt() {
        String state = seal.seal(payload(), BINDING, Duration.ofMinutes(10));
        RequestStateSeal other = new RequestStateSeal("fedcba9876543210fedcba9876543210".getBytes(), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> other.open(state, BINDING)).isInstanceOf(RequestStateSeal.InvalidStateException.class);
    }

    @Test
    void replicasSharingTheMasterKeyDeriveTheSameKeyAndOthersDoNot(@TempDir Path a, @TempDir Path b) throws Exception {
        SecretBox first = new SecretBox(props(a));
        SecretBox sameMasterKey = new SecretBox(props(a)); // a second replica reading the same master key
        SecretBox otherMasterKey = new SecretBox(props(b));
        RequestStateSeal one = new RequestStateSeal(first);
        String state = one.seal(payload(), BINDING, Duration.ofMinutes(1));
        assertThat(callId(new RequestStateSeal(sameMasterKey).open(state, BINDING))).isEqualTo("handle");
        assertThatThrownBy(() -> new RequestStateSeal(otherMasterKey).open(state, BINDING))
                .isInstanceOf(RequestStateSeal.InvalidStateException.class);
        assertThat(first.derivedKey("mcp-request-state")).isNotEqualTo(first.derivedKey("something-else")).hasSize(32);
    }

    @Test
    void aShortKeyIsRejected() {
        assertThatThrownBy(() -> new RequestStateSeal(new byte[16], Clock.systemUTC())).isInstanceOf(IllegalArgumentException.class);
    }

    private static GatehouseProperties props(Path dataDir) {
        return new GatehouseProperties(dataDir.toString(), "http://localhost:8080",
                new GatehouseProperties.Mcp(1024, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMinutes(5), 10, List.of(), 16L << 20, Duration.ofSeconds(60)));
    }
}
