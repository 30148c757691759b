package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class ListCacheTest {
    private final ListCache cache = new ListCache("srv");
    private final List<ObjectNode> asked = new ArrayList<>();

    /** An upstream with two pages of tools; {@code ttl} per page (null: none declared). */
    private Function<ObjectNode, ObjectNode> twoPages(Long firstTtl, Long secondTtl) {
        return request -> {
            asked.add(request.deepCopy());
            boolean second = request.path("params").has("cursor");
            ObjectNode result = Json.object();
            result.putArray("tools").addObject().put("name", second ? "b" : "a");
            if (!second) {
                result.put("nextCursor", "page-2");
            }
            Long ttl = second ? secondTtl : firstTtl;
            if (ttl != null) {
                result.put("ttlMs", ttl);
            }
            return JsonRpc.result(request.get("id"), result);
        };
    }

    @Test
    void followsCursorsAndKeepsTheListUntilTheUpstreamSaysItChanged() {
        var upstream = twoPages(null, null);
        assertThat(cache.list("tools", upstream, kind -> true).valueStream().map(t -> t.path("name").asString()))
                .containsExactly("a", "b");
        assertThat(asked).hasSize(2);
        assertThat(asked.get(0).path("method").asString()).isEqualTo("tools/list");
        assertThat(asked.get(1).path("params").path("cursor").asString()).isEqualTo("page-2");

        cache.list("tools", upstream, kind -> true);
        assertThat(asked).as("served from the cache").hasSize(2);

        cache.changed("tools");
        cache.list("tools", upstream, kind -> true);
        assertThat(asked).as("asked again after list_changed").hasSize(4);
        assertThat(cache.ttlMs("tools")).isEqualTo(-1);
    }

    @Test
    void withoutChangeNotificationsTheSmallestDeclaredFreshnessDecides() {
        var upstream = twoPages(60_000L, 0L);
        cache.list("tools", upstream, kind -> false);
        assertThat(cache.ttlMs("tools")).isEqualTo(0);
        cache.list("tools", upstream, kind -> false);
        assertThat(asked).as("a freshness of 0 ms: every list is asked again").hasSize(4);

        ListCache notified = new ListCache("srv");
        asked.clear();
        notified.list("tools", upstream, kind -> true);
        notified.list("tools", upstream, kind -> true);
        assertThat(asked).as("announced changes outrank the declared freshness").hasSize(2);
    }

    @Test
    void aListAskedAgainThatDidNotChangeIsTheSameArrayAcrossSessionsAndAChangedOneIsNew() {
        String[] names = {"a"};
        Function<ObjectNode, ObjectNode> upstream = request -> {
            ObjectNode result = Json.object();
            result.putArray("tools").addObject().put("name", names[0]).put("description", "the tool " + names[0]);
            result.put("ttlMs", 0);
            return JsonRpc.result(request.get("id"), result);
        };
        ListCache first = new ListCache("srv-same");
        ArrayNode one = first.list("tools", upstream, kind -> false);
        ArrayNode again = first.list("tools", upstream, kind -> false);
        ArrayNode otherSession = new ListCache("srv-same").list("tools", upstream, kind -> false);
        assertThat(again).as("asked again (0 ms freshness), equal: the same array").isSameAs(one);
        assertThat(otherSession).as("another session of the same server, equal: the same array").isSameAs(one);
        assertThat(new ListCache("srv-other").list("tools", upstream, kind -> false))
                .as("another server's equal list is its own").isNotSameAs(one).isEqualTo(one);

        names[0] = "b";
        ArrayNode changed = first.list("tools", upstream, kind -> false);
        assertThat(changed).isNotSameAs(one);
        assertThat(changed.get(0).path("name").asString()).isEqualTo("b");
        assertThat(one.get(0).path("name").asString()).as("the earlier array is left as it was").isEqualTo("a");
        assertThat(new ListCache("srv-same").list("tools", upstream, kind -> false)).isSameAs(changed);
    }

    @Test
    void aRefusedListIsAnErrorNamingTheServerAndNothingIsCached() {
        Function<ObjectNode, ObjectNode> refusing = request -> JsonRpc.error(request.get("id"), JsonRpc.METHOD_NOT_FOUND, "no prompts");
        assertThatThrownBy(() -> cache.list("prompts", refusing, kind -> true))
                .isInstanceOf(UpstreamException.class).hasMessage("upstream 'srv' refused prompts/list: no prompts");
        assertThatThrownBy(() -> cache.list("prompts", request -> null, kind -> true))
                .hasMessageContaining("cancelled");
        assertThatThrownBy(() -> cache.list("nonsense", refusing, kind -> true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resourceTemplatesUseTheirOwnMethod() {
        cache.list("resourceTemplates", request -> {
            asked.add(request);
            return JsonRpc.result(request.get("id"), Json.object());
        }, kind -> true);
        assertThat(asked.getFirst().path("method").asString()).isEqualTo("resources/templates/list");
    }
}
