package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The servlet reads an unescaped query itself; it must find what the container would. */
class McpServletQueryTest {

    @Test
    void findsTheFirstValueOfTheNamedParameterOnly() {
        assertThat(McpServlet.plainParameter("gateway=g1", "gateway")).isEqualTo("g1");
        assertThat(McpServlet.plainParameter("a=1&gateway=g2&gateway=g3", "gateway")).isEqualTo("g2");
        assertThat(McpServlet.plainParameter("xgateway=no&gatewayx=no&gateway=yes", "gateway")).isEqualTo("yes");
        assertThat(McpServlet.plainParameter("gateway=a=b", "gateway")).isEqualTo("a=b");
        assertThat(McpServlet.plainParameter("gateway", "gateway")).isEmpty();
        assertThat(McpServlet.plainParameter("gateway=", "gateway")).isEmpty();
        assertThat(McpServlet.plainParameter("&&gateway=g&", "gateway")).isEqualTo("g");
        assertThat(McpServlet.plainParameter("other=gateway", "gateway")).isNull();
        assertThat(McpServlet.plainParameter("", "gateway")).isNull();
        assertThat(McpServlet.plainParameter("gate=x", "gateway")).isNull();
    }
}
