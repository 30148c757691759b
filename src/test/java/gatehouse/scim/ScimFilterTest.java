package gatehouse.scim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

class ScimFilterTest {
    private static final JsonNode BJENSEN = Json.tree("""
            {"id":"usr_AbC","userName":"bjensen@example.com","externalId":"00u1","active":true,
             "name":{"givenName":"Barbara","familyName":"Jensen"},
             "emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@home.example","type":"home"}],
             "meta":{"lastModified":"2026-11-01T10:00:00Z"}, "members":[{"value":"usr_1"},{"value":"usr_2"}]}""");

    private static boolean matches(String filter) {
        return ScimFilter.parse(filter).test(BJENSEN);
    }

    @Test
    void everyOperatorOnCommonAttributes() {
        assertThat(matches("userName eq \"BJensen@example.com\"")).as("case-insensitive").isTrue();
        assertThat(matches("userName ne \"bjensen@example.com\"")).isFalse();
        assertThat(matches("userName co \"jensen\"")).isTrue();
        assertThat(matches("userName sw \"bj\"")).isTrue();
        assertThat(matches("userName ew \"example.com\"")).isTrue();
        assertThat(matches("externalId pr")).isTrue();
        assertThat(matches("displayName pr")).isFalse();
        assertThat(matches("meta.lastModified gt \"2026-10-01T00:00:00Z\"")).isTrue();
        assertThat(matches("meta.lastModified ge \"2026-11-01T10:00:00Z\"")).isTrue();
        assertThat(matches("meta.lastModified lt \"2026-10-01T00:00:00Z\"")).isFalse();
        assertThat(matches("meta.lastModified le \"2026-11-01T10:00:00Z\"")).isTrue();
        assertThat(matches("active eq true")).isTrue();
        assertThat(matches("name.familyName eq \"jensen\"")).isTrue();
        assertThat(matches("id eq \"usr_abc\"")).as("id is case-exact").isFalse();
        assertThat(matches("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"bjensen@example.com\"")).isTrue();
    }

    @Test
    void logicAndValueFilters() {
        assertThat(matches("userName sw \"bj\" and active eq true")).isTrue();
        assertThat(matches("userName sw \"zz\" or name.givenName eq \"barbara\"")).isTrue();
        assertThat(matches("not (active eq true)")).isFalse();
        assertThat(matches("(userName sw \"zz\" or active eq false) and externalId pr")).isFalse();
        assertThat(matches("emails[type eq \"work\" and value co \"example.com\"]")).isTrue();
        assertThat(matches("emails[type eq \"other\"]")).isFalse();
        assertThat(matches("emails.value eq \"babs@home.example\"")).isTrue();
        assertThat(matches("members[value eq \"usr_2\"]")).isTrue();
        assertThat(matches("members eq \"usr_1\"")).isTrue();
    }

    @Test
    void badFiltersAreInvalidFilter() {
        for (String bad : new String[] {"userName", "userName xx \"a\"", "userName eq bjensen", "(userName eq \"a\"", "userName eq \"a",
                "", "emails[type eq \"work\"", "and eq \"a\" b"}) {
            assertThatThrownBy(() -> ScimFilter.parse(bad)).as(bad).isInstanceOfSatisfying(ScimException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.scimType()).isEqualTo("invalidFilter");
            });
        }
    }
}
