package gatehouse.gateway.transport;

import java.util.Map;

/**
 * A request refused before (or instead of) JSON-RPC processing: answered with {@code status}
 * and a JSON-RPC error body (id null), plus any extra headers such as WWW-Authenticate.
 */
public class HttpProblem extends RuntimeException {
    private final int status;
    private final int rpcCode;
    private final Map<String, String> headers;

    public HttpProblem(int status, int rpcCode, String message) {
        this(status, rpcCode, message, Map.of());
    }

    public HttpProblem(int status, int rpcCode, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.rpcCode = rpcCode;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    public int rpcCode() {
        return rpcCode;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
