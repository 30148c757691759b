package gatehouse.gateway.upstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import gatehouse.catalog.ServerDef;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every HTTP upstream client (Streamable HTTP, legacy SSE, stateless) is built from, so the
 * three agree on limits and credentials.
 *
 * @param http           the client of the streams (GET stream, listen stream, legacy SSE)
 * @param messages       the client of message POSTs (kept connections)
 * @param headers        the server's headers as a live view ({@link AuthorizedHeaders}): read at each
 *                       request, so a refreshed credential is used at once
 * @param clientInit     the {@code initialize} parameters of the client Gatehouse acts for
 * @param connectTimeout the handshake's, a GET's and a DELETE's bound
 * @param requestTimeout how long a POST may wait for its answer to begin
 * @param maxMessageBytes the largest single message (body or event) accepted
 */
record HttpUpstreamConfig(ServerDef server, HttpClient http, MessageClient messages, Map<String, String> headers,
                          ObjectNode clientInit, Duration connectTimeout, Duration requestTimeout, long maxMessageBytes) {
    HttpUpstreamConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(clientInit, "clientInit");
        if (server.url() == null || server.url().isBlank()) {
            throw new IllegalArgumentException("server '" + server.name() + "' has no URL");
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive, was " + maxMessageBytes);
        }
    }

    /** With the {@linkplain MessageClient#shared() shared} message client (sessions built by hand). */
    HttpUpstreamConfig(ServerDef server, HttpClient http, Map<String, String> headers, ObjectNode clientInit,
                       Duration connectTimeout, Duration requestTimeout, long maxMessageBytes) {
        this(server, http, MessageClient.shared(), headers, clientInit, connectTimeout, requestTimeout, maxMessageBytes);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }

    URI uri() {
        return URI.create(server.url());
    }

    String name() {
        return server.name();
    }
}
