package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void forgedLogLinesAndEscapesAreDefused() {
        assertThat(LogSafe.text("https://a.example/x\n2026-12-06 INFO admin signed in\u001b[31m\u2028"))
                .doesNotContain("\n").doesNotContain("\u001b").doesNotContain("\u2028").contains("?2026-12-06");
    }

    @Test
    void urlsLoseQueryFragmentAndUserInfo() {
        assertThat(LogSafe.url("https://user:pw@mcp.example.com/path?api_key=SECRET#frag")).isEqualTo("https://mcp.example.com/path");
        assertThat(LogSafe.url("https://mcp.example.com/a@b?k=v")).isEqualTo("https://mcp.example.com/a@b");
    }

    @Test
    void lengthIsCapped() {
        assertThat(LogSafe.text("x".repeat(10_000))).hasSizeLessThan(210);
    }
}
