package gatehouse.scim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ScimPatchTest {
    private static ObjectNode user() {
        return (ObjectNode) Json.tree("""
                {"userName":"a@example.com","active":true,"name":{"givenName":"A"},
                 "emails":[{"value":"a@example.com","type":"work","primary":true}]}""");
    }

    private static ObjectNode group() {
        return (ObjectNode) Json.tree("""
                {"displayName":"eng","members":[{"value":"u1"},{"value":"u2"},{"value":"u3"}]}""");
    }

    private static ObjectNode patch(ObjectNode r, String ops) {
        return ScimPatch.apply(r, Json.tree("{\"schemas\":[\"" + ScimPatch.SCHEMA + "\"],\"Operations\":" + ops + "}"));
    }

    @Test
    void entraDeactivatesWithACapitalisedOpAndABooleanString() {
        JsonNode out = patch(user(), "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]");
        assertThat(out.path("active").isBoolean()).isTrue();
        assertThat(out.path("active").asBoolean()).isFalse();
    }

    @Test
    void oktaDeactivatesWithAPathlessReplace() {
        JsonNode out = patch(user(), "[{\"op\":\"replace\",\"value\":{\"active\":false}}]");
        assertThat(out.path("active").asBoolean()).isFalse();
    }

    @Test
    void entraUpdatesAnEmailByValueFilterAndNamesByDottedPath() {
        JsonNode out = patch(user(), """
                [{"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"b@example.com"},
                 {"op":"Replace","path":"name.familyName","value":"Bee"},
                 {"op":"Add","value":{"displayName":"A Bee","name.givenName":"Ay"}}]""");
        assertThat(out.path("emails").get(0).path("value").asString()).isEqualTo("b@example.com");
        assertThat(out.path("name").path("familyName").asString()).isEqualTo("Bee");
        assertThat(out.path("name").path("givenName").asString()).isEqualTo("Ay");
        assertThat(out.path("displayName").asString()).isEqualTo("A Bee");
    }

    @Test
    void membersAreAddedAndRemovedBothWays() {
        JsonNode out = patch(group(), """
                [{"op":"Add","path":"members","value":[{"value":"u4"},{"value":"u1"}]},
                 {"op":"Remove","path":"members[value eq \\"u2\\"]"},
                 {"op":"Remove","path":"members","value":[{"value":"u3"}]}]""");
        assertThat(out.path("members").valueStream().map(m -> m.path("value").asString()).toList()).containsExactly("u1", "u4");
        JsonNode replaced = patch(group(), "[{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"u9\"}]}]");
        assertThat(replaced.path("members").size()).isEqualTo(1);
        JsonNode renamed = patch(group(), "[{\"op\":\"replace\",\"value\":{\"id\":\"x\",\"displayName\":\"platform\"}}]");
        assertThat(renamed.path("displayName").asString()).isEqualTo("platform");
    }

    @Test
    void malformedPatchesAreRefused() {
        assertThatThrownBy(() -> patch(user(), "[]")).isInstanceOf(ScimException.class);
        assertThatThrownBy(() -> patch(user(), "[{\"op\":\"move\",\"path\":\"active\",\"value\":true}]"))
                .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.scimType()).isEqualTo("invalidSyntax"));
        assertThatThrownBy(() -> patch(user(), "[{\"op\":\"replace\",\"path\":\"active\",\"value\":\"maybe\"}]"))
                .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.scimType()).isEqualTo("invalidValue"));
        assertThatThrownBy(() -> patch(user(), "[{\"op\":\"remove\"}]"))
                .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.scimType()).isEqualTo("noTarget"));
    }
}
