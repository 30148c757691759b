package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.identity.DirectorySnapshot;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The access step on its own, against a directory snapshot: lists and calls are decided together,
 * a refused call answers exactly like the router's answer for a missing tool, and an API-token
 * connection or a team without a subset is untouched.
 */
class AccessStepTest {
    private static final GatewayDef GATEWAY = new GatewayDef("gw_1", "one", Instant.EPOCH);
    private static final ServerDef SERVER = new ServerDef("srv_1", "fs", Transport.STDIO, List.of("fs-server"), Map.of(), null, Map.of(),
            Instant.EPOCH, Instant.EPOCH);
    private static final String[] TOOLS = {"fs__read", "fs__write", "git__log"};

    private final AtomicReference<DirectorySnapshot> directory = new AtomicReference<>();
    private final AccessStep step = new AccessStep(directory::get);

    /** usr_a in team_a (subset: fs__read, git__log), usr_b in team_b (every tool), usr_c in both. */
    private void directory(Set<String> subsetOfA) {
        Map<String, Set<String>> holders = new HashMap<>();
        holders.put("team_a", subsetOfA);
        holders.put("team_b", null);
        directory.set(DirectorySnapshot.withToolSubsets(Set.of("usr_a", "usr_b", "usr_c"),
                Map.of("usr_a", Set.of("gw_1"), "usr_b", Set.of("gw_1"), "usr_c", Set.of("gw_1")),
                Map.of("usr_a", Set.of("team_a"), "usr_b", Set.of("team_b"), "usr_c", Set.of("team_a", "team_b")),
                Map.of("gw_1", Collections.unmodifiableMap(holders))));
    }

    private static Exchange exchange(String userId, String hostId, String method, ObjectNode request) {
        Connection c = new Connection("con_1", "gw_1", hostId, userId, true, "hash", Instant.EPOCH);
        CatalogSnapshot catalog = CatalogSnapshot.of(List.of(), List.of(GATEWAY), List.of(), List.of(c), 1);
        return new Exchange(System.nanoTime(), new Exchange.Caller(c, GATEWAY, catalog), Exchange.Generation.SESSION, method, request);
    }

    private static ObjectNode call(String tool) {
        ObjectNode req = Json.object().put("jsonrpc", "2.0").put("id", 7).put("method", "tools/call");
        req.putObject("params").put("name", tool).putObject("arguments");
        return req;
    }

    private static ObjectNode listAnswer() {
        ObjectNode resp = Json.object().put("jsonrpc", "2.0").put("id", 3);
        var tools = resp.putObject("result").putArray("tools");
        for (String t : TOOLS) {
            tools.addObject().put("name", t).putObject("inputSchema").put("type", "object");
        }
        return resp;
    }

    private static final Assignment UNPREFIXED = new Assignment("gw_1", "srv_1", IdentityScheme.SHARED, "", Instant.EPOCH);

    private List<String> listed(String userId, String hostId) {
        Exchange e = exchange(userId, hostId, "tools/list", Json.object().put("jsonrpc", "2.0").put("id", 3).put("method", "tools/list"));
        ArrayNode items = (ArrayNode) listAnswer().path("result").path("tools");
        return step.onList(e, new Step.ListPart(UNPREFIXED, SERVER, "tools", items)).valueStream().map(t -> t.path("name").asString()).toList();
    }

    private boolean callAllowed(String userId, String hostId, String tool) {
        Verdict v = step.beforeRouting(exchange(userId, hostId, "tools/call", call(tool)));
        return switch (v) {
            case Verdict.Pass p -> true;
            case Verdict.Deny d -> {
                assertThat(d.code()).isEqualTo(JsonRpc.INVALID_PARAMS);
                assertThat(d.message()).as("the router's words for a missing tool").isEqualTo("Unknown tool: " + tool);
                assertThat(d.data()).isNull();
                yield false;
            }
            case Verdict.Flag f -> throw new AssertionError("unexpected " + f);
            case Verdict.Replace r -> throw new AssertionError("unexpected " + r);
        };
    }

    @Test
    void listsAndCallsAgreeForEveryCallerAndTool() {
        directory(Set.of("fs__read", "git__log"));
        Map<String, List<String>> expected = Map.of(
                "usr_a", List.of("fs__read", "git__log"),
                "usr_b", List.of(TOOLS),
                "usr_c", List.of(TOOLS));
        expected.forEach((user, tools) -> {
            assertThat(listed(user, null)).as("list of %s", user).containsExactlyElementsOf(tools);
            for (String t : TOOLS) {
                assertThat(callAllowed(user, null, t)).as("%s calls %s", user, t).isEqualTo(tools.contains(t));
            }
        });
        assertThat(callAllowed("usr_a", null, "no_such_tool")).isFalse();
    }

    @Test
    void anApiTokenConnectionSeesEveryTool() {
        directory(Set.of("fs__read"));
        assertThat(listed(null, "host_1")).containsExactly(TOOLS);
        assertThat(callAllowed(null, "host_1", "fs__write")).isTrue();
    }

    @Test
    void aChangedSubsetTakesEffectOnTheNextMessage() {
        directory(Set.of("fs__read"));
        assertThat(callAllowed("usr_a", null, "git__log")).isFalse();
        directory(Set.of("git__log"));
        assertThat(callAllowed("usr_a", null, "git__log")).isTrue();
        assertThat(listed("usr_a", null)).containsExactly("git__log");
        directory(null);
        assertThat(listed("usr_a", null)).containsExactly(TOOLS);
    }

    @Test
    void aHiddenToolIsRecordedAsADecisionNeverInTheAnswer() {
        directory(Set.of("fs__read"));
        Exchange e = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        ArrayNode items = (ArrayNode) listAnswer().path("result").path("tools");
        ArrayNode kept = step.onList(e, new Step.ListPart(UNPREFIXED, SERVER, "tools", items));
        assertThat(e.decisions()).singleElement().satisfies(d -> {
            assertThat(d.step()).isEqualTo("access");
            assertThat(d.action()).isEqualTo("hide");
            assertThat(d.details()).containsEntry("tools", 2);
        });
        assertThat(kept.toString()).doesNotContain("fs__write").doesNotContain("git__log");
        assertThat(items.size()).as("the server's list (shared with its cache) is not changed in place").isEqualTo(3);
    }

    @Test
    void subsetsNameExposedNamesWithTheAssignmentsPrefix() {
        directory(Set.of("fs__read"));
        Assignment fs = new Assignment("gw_1", "srv_1", IdentityScheme.SHARED, "fs", Instant.EPOCH);
        ArrayNode upstream = Json.array();
        upstream.addObject().put("name", "read");
        upstream.addObject().put("name", "write");
        Exchange e = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        assertThat(step.onList(e, new Step.ListPart(fs, SERVER, "tools", upstream)).valueStream().map(t -> t.path("name").asString()).toList())
                .containsExactly("read");
        ArrayNode prompts = Json.array();
        prompts.addObject().put("name", "write");
        assertThat(step.onList(e, new Step.ListPart(fs, SERVER, "prompts", prompts))).as("only tools are subset").isSameAs(prompts);
    }

    @Test
    void otherMethodsPassUntouched() {
        directory(Set.of());
        ObjectNode prompt = Json.object().put("method", "prompts/get");
        prompt.putObject("params").put("name", "fs__read");
        assertThat(step.beforeRouting(exchange("usr_a", null, "prompts/get", prompt))).isEqualTo(Verdict.pass());
        assertThat(step.name()).isEqualTo("access");
    }

    /** usr_a's team sees one prompt, one static resource and one template; usr_b's team everything. */
    private void promptAndResourceSubsets() {
        Map<String, gatehouse.policy.access.Subsets> holders = new HashMap<>();
        holders.put("team_a", new gatehouse.policy.access.Subsets(null, Set.of("greet"), Set.of("file:///a.txt", "db://{table}/rows")));
        holders.put("team_b", gatehouse.policy.access.Subsets.EVERYTHING);
        directory.set(new DirectorySnapshot(Set.of("usr_a", "usr_b"), Map.of("usr_a", Set.of("gw_1"), "usr_b", Set.of("gw_1")),
                Map.of("usr_a", Set.of("team_a"), "usr_b", Set.of("team_b")), Map.of("gw_1", Map.copyOf(holders))));
    }

    private List<String> listedOf(String userId, String kind, String field, String... items) {
        ArrayNode part = Json.array();
        for (String item : items) {
            part.addObject().put(field, item);
        }
        Exchange e = exchange(userId, null, kind + "/list", Json.object());
        return step.onList(e, new Step.ListPart(UNPREFIXED, SERVER, kind, part)).valueStream().map(t -> t.path(field).asString()).toList();
    }

    private Verdict before(String userId, String method, ObjectNode params) {
        ObjectNode req = Json.object().put("jsonrpc", "2.0").put("id", 9).put("method", method);
        req.set("params", params);
        return step.beforeRouting(exchange(userId, null, method, req));
    }

    @Test
    void promptsAndResourcesAreSubsetForListsAndUseAlike() {
        promptAndResourceSubsets();
        assertThat(listedOf("usr_a", "prompts", "name", "greet", "summarize")).containsExactly("greet");
        assertThat(listedOf("usr_a", "resources", "uri", "file:///a.txt", "file:///b.txt")).containsExactly("file:///a.txt");
        assertThat(listedOf("usr_a", "resourceTemplates", "uriTemplate", "db://{table}/rows", "logs://{day}"))
                .containsExactly("db://{table}/rows");
        assertThat(listedOf("usr_a", "tools", "name", TOOLS)).as("no tool subset: every tool").containsExactly(TOOLS);
        assertThat(listedOf("usr_b", "prompts", "name", "greet", "summarize")).containsExactly("greet", "summarize");

        assertThat(before("usr_a", "prompts/get", Json.object().put("name", "greet"))).isEqualTo(Verdict.pass());
        assertThat(before("usr_a", "prompts/get", Json.object().put("name", "summarize"))).isInstanceOfSatisfying(Verdict.Deny.class, d -> {
            assertThat(d.code()).isEqualTo(JsonRpc.INVALID_PARAMS);
            assertThat(d.message()).isEqualTo(gatehouse.gateway.routing.Router.notFound("prompts", "summarize").getMessage());
        });
        assertThat(before("usr_a", "resources/read", Json.object().put("uri", "file:///a.txt"))).isEqualTo(Verdict.pass());
        assertThat(before("usr_a", "resources/read", Json.object().put("uri", "db://users/rows"))).as("by a granted template")
                .isEqualTo(Verdict.pass());
        assertThat(before("usr_a", "resources/read", Json.object().put("uri", "file:///b.txt"))).isInstanceOfSatisfying(Verdict.Deny.class, d -> {
            var missing = gatehouse.gateway.routing.Router.resourceNotFound("file:///b.txt");
            assertThat(d.code()).isEqualTo(missing.code());
            assertThat(d.message()).isEqualTo(missing.getMessage());
            assertThat(d.data()).isEqualTo(missing.data());
        });
        assertThat(before("usr_a", "resources/subscribe", Json.object().put("uri", "logs://monday"))).isInstanceOf(Verdict.Deny.class);
        assertThat(before("usr_b", "resources/read", Json.object().put("uri", "file:///b.txt"))).isEqualTo(Verdict.pass());

        ObjectNode promptRef = Json.object();
        promptRef.putObject("ref").put("type", "ref/prompt").put("name", "summarize");
        assertThat(before("usr_a", "completion/complete", promptRef)).as("completion of a hidden prompt").isInstanceOf(Verdict.Deny.class);
        ObjectNode resourceRef = Json.object();
        resourceRef.putObject("ref").put("type", "ref/resource").put("uri", "file:///a.txt");
        assertThat(before("usr_a", "completion/complete", resourceRef)).isEqualTo(Verdict.pass());
    }

    @Test
    void aListenStreamsSubscriptionIsAdmittedBeforeTheUpstreamLikeARead() {
        promptAndResourceSubsets();
        ObjectNode req = Json.object().put("jsonrpc", "2.0").put("id", 0).put("method", "resources/subscribe");
        req.putObject("params").put("uri", "file:///b.txt");
        assertThat(step.beforeUpstream(exchange("usr_a", null, "resources/subscribe", req))).isInstanceOf(Verdict.Deny.class);
        ((ObjectNode) req.get("params")).put("uri", "file:///a.txt");
        assertThat(step.beforeUpstream(exchange("usr_a", null, "resources/subscribe", req))).isEqualTo(Verdict.pass());
        assertThat(step.beforeUpstream(exchange("usr_a", null, "prompts/get", req))).as("other requests were decided before routing")
                .isEqualTo(Verdict.pass());
    }

    /**
     * A restricted caller's list part is the same array again while its source, subset and prefix
     * stay (so the merged answer made from it is reused), and a new one the moment any of them
     * changes: a reused part never shows what the caller's subset hides now.
     */
    @Test
    void aRestrictedPartIsReusedOnlyForTheSameSourceSubsetAndPrefix() {
        directory(Set.of("fs__read"));
        ArrayNode items = (ArrayNode) listAnswer().path("result").path("tools");
        Exchange first = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        ArrayNode kept = step.onList(first, new Step.ListPart(UNPREFIXED, SERVER, "tools", items));
        Exchange second = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        assertThat(step.onList(second, new Step.ListPart(UNPREFIXED, SERVER, "tools", items))).isSameAs(kept);
        assertThat(second.decisions()).as("the hidden tools are still recorded").singleElement()
                .satisfies(d -> assertThat(d.details()).containsEntry("tools", 2));

        Exchange all = exchange("usr_c", null, "tools/list", Json.object().put("method", "tools/list"));
        assertThat(step.onList(all, new Step.ListPart(UNPREFIXED, SERVER, "tools", items))).isSameAs(items);

        directory(Set.of("git__log"));
        Exchange changed = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        ArrayNode now = step.onList(changed, new Step.ListPart(UNPREFIXED, SERVER, "tools", items));
        assertThat(now.valueStream().map(t -> t.path("name").asString()).toList()).containsExactly("git__log");

        ArrayNode fresh = (ArrayNode) listAnswer().path("result").path("tools");
        fresh.remove(2);
        Exchange newList = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        assertThat(step.onList(newList, new Step.ListPart(UNPREFIXED, SERVER, "tools", fresh))).as("a changed list is filtered afresh")
                .isEmpty();

        Assignment prefixed = new Assignment("gw_1", "srv_1", IdentityScheme.SHARED, "git", Instant.EPOCH);
        ArrayNode upstream = Json.array();
        upstream.addObject().put("name", "log");
        upstream.addObject().put("name", "push");
        Exchange byPrefix = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        assertThat(step.onList(byPrefix, new Step.ListPart(prefixed, SERVER, "tools", upstream)).valueStream()
                .map(t -> t.path("name").asString()).toList()).containsExactly("log");
        Assignment other = new Assignment("gw_1", "srv_1", IdentityScheme.SHARED, "fs", Instant.EPOCH);
        Exchange otherPrefix = exchange("usr_a", null, "tools/list", Json.object().put("method", "tools/list"));
        assertThat(step.onList(otherPrefix, new Step.ListPart(other, SERVER, "tools", upstream))).as("another prefix names other tools")
                .isEmpty();
    }
}
