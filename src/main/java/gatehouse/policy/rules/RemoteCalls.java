package gatehouse.policy.rules;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP call to a content service, bounded end to end: {@link HttpRequest#timeout} covers only
 * the wait for headers, so the whole exchange (connect, headers, body) is also bounded here, and a
 * call past its time is cancelled. Failures become {@link DetectorException}s that say what
 * happened without echoing the service's body. Answers are capped at 4 MiB.
 */
final class RemoteCalls {
    static final int MAX_BODY = 4 << 20;

    private RemoteCalls() {
    }

    static HttpResponse<String> send(HttpClient http, HttpRequest req, Duration timeout, String what) {
        CompletableFuture<HttpResponse<String>> call = http.sendAsync(req, info -> HttpResponse.BodySubscribers.mapping(
                HttpResponse.BodySubscribers.ofByteArray(), bytes -> {
                    if (bytes.length > MAX_BODY) {
                        throw new IllegalStateException("answer too large");
                    }
                    return new String(bytes, StandardCharsets.UTF_8);
                }));
        try {
            return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new DetectorException(what + " did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new DetectorException(what + " call interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.net.http.HttpTimeoutException) {
                // the request's own header timeout can fire a moment before the overall bound
                throw new DetectorException(what + " did not answer within " + timeout.toMillis() + " ms");
            }
            String reason = c instanceof IOException ? "unreachable (" + c.getClass().getSimpleName() + ")" : "failed (" + c.getClass().getSimpleName() + ")";
            throw new DetectorException(what + " " + reason);
        }
    }
}
