package gatehouse.catalog;

/** How Gatehouse reaches an upstream server. */
public enum Transport {
    STDIO("stdio"), STREAMABLE_HTTP("streamable-http"), SSE("sse");

    private final String wire;

    Transport(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Transport fromWire(String value) {
        for (Transport t : values()) {
            if (t.wire.equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("transport must be one of stdio, streamable-http, sse (got '" + value + "')");
    }
}
