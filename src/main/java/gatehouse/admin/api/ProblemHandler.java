package gatehouse.admin.api;

import java.net.URI;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import gatehouse.platform.ProblemException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Translates control-plane failures into RFC 9457 problem details, in one place. Ordered first:
 * Boot's own problem-details advice has order 0 and would otherwise answer the generic cases
 * below (bad body, bad parameter) without naming the field. The web console's own advice
 * ({@code gatehouse.console.ConsolePages}, pages instead of JSON) comes before this one.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ProblemHandler {

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> problem(ProblemException e) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(e.status()), e.getMessage());
        pd.setTitle(e.title());
        pd.setType(URI.create("https://gatehouse.dev/problems/" + e.title().toLowerCase().replace(' ', '-')));
        if (e.field() != null) {
            pd.setProperty("field", e.field());
        }
        return ResponseEntity.status(e.status()).body(pd);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        ProblemDetail pd;
        if (findCause(e, MismatchedInputException.class) instanceof MismatchedInputException m && m.getPath() != null && !m.getPath().isEmpty()) {
            // Said in the API's words: the field and the JSON shape it takes, never a Java type name.
            String field = m.getPath().stream().map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .reduce((x, y) -> y.startsWith("[") ? x + y : x + "." + y).orElse("");
            pd = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, field + " must be " + gatehouse.platform.JsonShapes.of(m.getTargetType()));
            pd.setProperty("field", field);
        } else if (findCause(e, tools.jackson.core.exc.StreamReadException.class) != null) {
            pd = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "the body is not valid JSON: " + rootMessage(e).replaceAll("\\(.*", "").strip());
        } else {
            pd = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getCause() == null
                    ? "a JSON body is required" : "the body is not valid JSON of the expected shape");
        }
        pd.setTitle("Invalid request");
        return ResponseEntity.badRequest().body(pd);
    }

    /** A query string or form body the container cannot decode (a broken %-escape): the client's fault, not a 500. */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameters(RuntimeException e) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "the query string or form body cannot be decoded (check its %-escapes)");
        pd.setTitle("Invalid request");
        return ResponseEntity.badRequest().body(pd);
    }

    private static Throwable findCause(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (kind.isInstance(c)) {
                return c;
            }
        }
        return null;
    }

    @ExceptionHandler({MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class})
    ResponseEntity<ProblemDetail> badParameter(Exception e) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        pd.setTitle("Invalid request");
        pd.setProperty("field", e instanceof MethodArgumentTypeMismatchException m ? m.getName()
                : ((MissingServletRequestParameterException) e).getParameterName());
        return ResponseEntity.badRequest().body(pd);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
