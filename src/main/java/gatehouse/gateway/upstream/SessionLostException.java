package gatehouse.gateway.upstream;

/** The upstream no longer knows our session (HTTP 404): re-initialize and retry once. */
class SessionLostException extends UpstreamException {
    SessionLostException(String message) {
        super(message);
    }
}
