package gatehouse.admin.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import gatehouse.audit.LogExport;
import gatehouse.audit.LogQuery;
import gatehouse.audit.LogVerifier;
import gatehouse.catalog.CatalogService;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;

/**
 * Log records as JSON pages (newest first, {@code Link: rel="next"} to the next page), or streamed
 * as JSON Lines or CSV for exports of any size; per gateway and per connection; and the hash chain's
 * verification.
 */
@RestController
@RequestMapping("/api/v1")
class LogsController {
    static final String NEXT_CURSOR = "Gatehouse-Next-Cursor";

    private final LogQuery logs;
    private final LogExport exporter;
    private final LogVerifier verifier;
    private final CatalogService catalog;

    LogsController(LogQuery logs, LogExport exporter, LogVerifier verifier, CatalogService catalog) {
        this.logs = logs;
        this.exporter = exporter;
        this.verifier = verifier;
        this.catalog = catalog;
    }

    /** The query parameters every log view accepts. */
    record Params(String gateway, String connection, String user, String host, String server, String tool, String method,
                  String status, String decision, String from, String to, String limit, String cursor, String format) {

        LogQuery.Filter filter() {
            return new LogQuery.Filter(gateway, connection, user, host, server, tool, method, status, decision, instant("from", from),
                    instant("to", to), parseLimit(limit), cursor);
        }
    }

    /**
     * {@code format=json} (default) answers one page of at most {@code limit} (100) records; {@code
     * jsonl} and {@code csv} stream every match (or the first {@code limit}).
     */
    @GetMapping("/logs")
    ResponseEntity<StreamingResponseBody> logs(Params p) {
        return answer(p, p.filter());
    }

    @GetMapping("/gateways/{gid}/logs")
    ResponseEntity<StreamingResponseBody> gatewayLogs(@PathVariable String gid, Params p) {
        catalog.gateway(gid);
        return answer(p, p.filter().withGateway(gid));
    }

    @GetMapping("/connections/{cid}/logs")
    ResponseEntity<StreamingResponseBody> connectionLogs(@PathVariable String cid, Params p) {
        catalog.connection(cid);
        return answer(p, p.filter().withConnection(cid));
    }

    /** Recomputes the hash chain: {@code {ok, checked, unchained, firstBroken?: {id, time, reason}}}. */
    @GetMapping("/logs/verify")
    LogVerifier.Result verify() {
        return verifier.verify();
    }

    /** Every answer is a streaming body (Spring streams only for that declared type); a JSON page is read first. */
    private ResponseEntity<StreamingResponseBody> answer(Params p, LogQuery.Filter f) {
        String format = p.format() == null ? "json" : p.format();
        return switch (format) {
            case "json" -> {
                LogQuery.Page page = logs.page(f);
                ResponseEntity.BodyBuilder ok = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON);
                if (page.next() != null) {
                    String next = ServletUriComponentsBuilder.fromCurrentRequest().replaceQueryParam("cursor", page.next()).toUriString();
                    ok.header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"").header(NEXT_CURSOR, page.next());
                }
                byte[] json = Json.MAPPER.writeValueAsBytes(page.records());
                yield ok.body(out -> {
                    out.write(json);
                    out.write('\n');
                });
            }
            case "jsonl" -> ResponseEntity.ok().contentType(MediaType.parseMediaType("application/jsonl"))
                    .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"gatehouse-logs.jsonl\"")
                    .body((StreamingResponseBody) out -> exporter.write(out, f, false));
            case "csv" -> ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv; charset=utf-8"))
                    .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"gatehouse-logs.csv\"")
                    .body((StreamingResponseBody) out -> exporter.write(out, f, true));
            default -> throw ProblemException.invalid("format", "format must be json, jsonl or csv");
        };
    }

    private static Integer parseLimit(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw ProblemException.invalid("limit", "limit must be a number between 1 and " + LogQuery.MAX_PAGE);
        }
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, field + " must be an ISO-8601 instant such as 2026-11-26T12:00:00Z");
        }
    }
}
