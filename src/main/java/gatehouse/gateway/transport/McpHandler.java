package gatehouse.gateway.transport;

/** What the MCP endpoint hands each request to (the data-plane pipeline), in servlet-free terms. */
public interface McpHandler {
    void post(McpHttpRequest req, McpHttpResponse resp);

    void get(McpHttpRequest req, McpHttpResponse resp);

    void delete(McpHttpRequest req, McpHttpResponse resp);
}
