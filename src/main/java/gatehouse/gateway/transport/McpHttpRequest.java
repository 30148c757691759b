package gatehouse.gateway.transport;

/** The parts of an HTTP request the data plane looks at, free of servlet types. */
public interface McpHttpRequest {
    String header(String name);

    String query(String name);

    /** The body, read up to the configured limit; throws {@link BodyTooLargeException} past it. */
    byte[] body();
}
