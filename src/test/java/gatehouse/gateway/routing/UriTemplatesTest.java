package gatehouse.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UriTemplatesTest {

    @ParameterizedTest
    @CsvSource({
            "test://template/{id}/data, test://template/123/data, true",
            "test://template/{id}/data, test://template/123/other, false",
            "test://template/{id}/data, test://template/a/b/data, false",
            "demo://resource/dynamic/text/{resourceId}, demo://resource/dynamic/text/7, true",
            "file:///{+path}, file:///etc/hosts, true",
            "https://x.test/search{?q}, https://x.test/search?q=mcp, true",
            "https://x.test/search{?q}, https://x.test/other?q=mcp, false",
            "plain://fixed, plain://fixed, true",
            "plain://fixed, plain://fixed2, false",
            "a.b://{x}, aXb://1, false",
    })
    void matches(String template, String uri, boolean expected) {
        assertThat(UriTemplates.matches(template, uri)).isEqualTo(expected);
    }
}
