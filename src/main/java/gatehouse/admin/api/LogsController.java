package gatehouse.admin.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.audit.LogQuery;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;

/** Log records as JSON, JSON Lines or CSV. */
@RestController
@RequestMapping("/api/v1")
class LogsController {
    private static final List<String> CSV_COLUMNS = List.of("time", "connectionId", "gatewayId", "serverId", "method", "tool",
            "durationMs", "inputTokens", "outputTokens", "status", "decisions", "errorCode", "errorMessage", "sessionId", "kind");

    private final LogQuery logs;

    LogsController(LogQuery logs) {
        this.logs = logs;
    }

    @GetMapping("/logs")
    ResponseEntity<?> logs(@RequestParam(required = false) String gateway, @RequestParam(required = false) String connection,
                           @RequestParam(required = false) String user, @RequestParam(required = false) String server,
                           @RequestParam(required = false) String tool, @RequestParam(required = false) String from,
                           @RequestParam(required = false) String to, @RequestParam(defaultValue = "100") int limit,
                           @RequestParam(defaultValue = "json") String format) {
        List<Map<String, Object>> rows = logs.find(new LogQuery.Filter(gateway, connection, user, server, tool,
                instant("from", from), instant("to", to), limit));
        return switch (format) {
            case "json" -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(rows);
            case "jsonl" -> ResponseEntity.ok().contentType(MediaType.parseMediaType("application/jsonl"))
                    .body(rows.stream().map(Json::string).collect(Collectors.joining("\n", "", rows.isEmpty() ? "" : "\n")));
            case "csv" -> ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv"))
                    .body(String.join(",", CSV_COLUMNS) + "\n" + rows.stream()
                            .map(r -> CSV_COLUMNS.stream().map(c -> csv(r.get(c))).collect(Collectors.joining(",")))
                            .collect(Collectors.joining("\n", "", rows.isEmpty() ? "" : "\n")));
            default -> throw ProblemException.invalid("format", "format must be json, jsonl or csv");
        };
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

    private static String csv(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
