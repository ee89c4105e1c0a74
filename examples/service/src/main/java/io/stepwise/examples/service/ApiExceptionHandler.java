package io.stepwise.examples.service;

import io.stepwise.runtime.StepwiseException;
import io.stepwise.runtime.batch.BatchingOverloadedException;
import io.stepwise.runtime.batch.SessionEvictedException;
import io.stepwise.spring.ModelNotFoundException;
import io.stepwise.spring.ModelUnavailableException;
import io.stepwise.spring.store.SessionNotFoundException;
import io.stepwise.spring.store.StaleSessionException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

/**
 * Every error as an RFC 9457 problem detail: the service's own ({@link ApiException}), the starter's and the
 * runtime's (a bad value from the client is an {@link IllegalArgumentException} whose message starts with the
 * argument's name), and Spring MVC's (unreadable JSON, wrong method or media type). Only a bug gives 500.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionHandler.class);
    /** "temperature: expected …" → temperature. */
    private static final Pattern FIELD = Pattern.compile("^([A-Za-z][A-Za-z0-9_.\\[\\]]*): ");

    private final ServiceProperties properties;

    ApiExceptionHandler(ServiceProperties properties) {
        this.properties = properties;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e, HttpServletRequest request) {
        ProblemDetail p = Problems.of(e.status(), e.type(), e.getMessage(), request.getRequestURI());
        e.properties().forEach(p::setProperty);
        ResponseEntity.BodyBuilder b = ResponseEntity.status(e.status());
        if (e.status() == HttpStatus.TOO_MANY_REQUESTS || e.status() == HttpStatus.SERVICE_UNAVAILABLE) {
            b.header(HttpHeaders.RETRY_AFTER, Integer.toString(properties.getRetryAfterSeconds()));
        }
        if (e.properties().get("position") instanceof Long position) {
            b.eTag("\"" + position + "\"");
        }
        return b.body(p);
    }

    @ExceptionHandler(ModelNotFoundException.class)
    ResponseEntity<ProblemDetail> unknownModel(ModelNotFoundException e, HttpServletRequest request) {
        return api(new ApiException(HttpStatus.NOT_FOUND, "unknown-model", e.getMessage()).with("model", e.name()),
                request);
    }

    @ExceptionHandler(SessionNotFoundException.class)
    ResponseEntity<ProblemDetail> unknownSession(SessionNotFoundException e, HttpServletRequest request) {
        return api(new ApiException(HttpStatus.NOT_FOUND, "unknown-session", e.getMessage()), request);
    }

    @ExceptionHandler(StaleSessionException.class)
    ResponseEntity<ProblemDetail> stale(StaleSessionException e, HttpServletRequest request) {
        return api(new ApiException(HttpStatus.CONFLICT, "stale-position", e.getMessage())
                .with("position", e.current()), request);
    }

    @ExceptionHandler(ModelUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(ModelUnavailableException e, HttpServletRequest request) {
        return api(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, e.reason(), e.getMessage()), request);
    }

    @ExceptionHandler(BatchingOverloadedException.class)
    ResponseEntity<ProblemDetail> batchingOverloaded(BatchingOverloadedException e, HttpServletRequest request) {
        return api(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", e.getMessage())
                .with("limit", e.limit().name().toLowerCase()), request);
    }

    /** A batched session evicted mid-request (idle past the batching idle timeout): nothing was written; retry. */
    @ExceptionHandler(SessionEvictedException.class)
    ResponseEntity<ProblemDetail> evicted(SessionEvictedException e, HttpServletRequest request) {
        return api(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", e.getMessage()), request);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ProblemDetail> badValue(IllegalArgumentException e, HttpServletRequest request) {
        String message = e.getMessage() == null ? "invalid request" : e.getMessage();
        Matcher m = FIELD.matcher(message);
        ApiException api = m.find() ? ApiException.invalidField(m.group(1).replaceAll("\\[.*$", ""), message)
                : new ApiException(HttpStatus.BAD_REQUEST, "invalid-field", message);
        return api(api, request);
    }

    @ExceptionHandler(UnsupportedOperationException.class)
    ResponseEntity<ProblemDetail> unsupported(UnsupportedOperationException e, HttpServletRequest request) {
        return api(new ApiException(HttpStatus.BAD_REQUEST, "unsupported-operation", e.getMessage()), request);
    }

    @ExceptionHandler(StepwiseException.class)
    ResponseEntity<ProblemDetail> engine(StepwiseException e, HttpServletRequest request) {
        LOG.error("{} {}: engine failure", request.getMethod(), request.getRequestURI(), e);
        return api(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal",
                "the model failed to run: " + e.getMessage()), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestGuardFilter.PayloadTooLargeException tooLarge) {
                ApiException api = new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload-too-large",
                        tooLarge.getMessage()).with("limit", tooLarge.limit());
                return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE).body(
                        api(api, ((ServletWebRequest) request).getRequest()).getBody());
            }
        }
        ApiException api = new ApiException(HttpStatus.BAD_REQUEST, "malformed-json", "body: " + describe(e));
        String field = fieldOf(e);
        if (field != null) {
            api = new ApiException(HttpStatus.BAD_REQUEST, "invalid-field", field + ": " + describe(e))
                    .with("field", field);
        }
        return ResponseEntity.badRequest().body(
                api(api, ((ServletWebRequest) request).getRequest()).getBody());
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
                                                                          HttpHeaders headers, HttpStatusCode status,
                                                                          WebRequest request) {
        ApiException api = ApiException.invalidField(e.getParameterName(), e.getParameterName()
                + ": the query parameter is required");
        return ResponseEntity.badRequest().body(api(api, ((ServletWebRequest) request).getRequest()).getBody());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return api(ApiException.invalidField(e.getName(), e.getName() + ": expected "
                + (e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName())
                + " but got '" + e.getValue() + "'"), request);
    }

    /** Spring MVC's own errors (405, 406, 415, …) keep their status and get the service's type names. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        String type = switch (status.value()) {
            case 400 -> "malformed-json";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 503 -> "overloaded";
            default -> status.is5xxServerError() ? "internal" : "invalid-request";
        };
        String detail = body instanceof ProblemDetail pd && pd.getDetail() != null ? pd.getDetail() : e.getMessage();
        ProblemDetail p = Problems.of(status, type, detail, ((ServletWebRequest) request).getRequest().getRequestURI());
        if (status.is5xxServerError()) {
            LOG.error("request failed", e);
        }
        return super.handleExceptionInternal(e, p, headers, status, request);
    }

    /**
     * The state store (Redis) cannot be reached, timed out, or failed the command (e.g. LOADING while it reads its
     * append-only file after a restart, or a connection reset): the client did nothing wrong and may retry, so 503
     * with Retry-After rather than 500. A step whose write did reach the store before the failure is safe to retry
     * with the same If-Match: the retry gets 409 naming the position the session moved to.
     */
    @ExceptionHandler({DataAccessResourceFailureException.class, QueryTimeoutException.class,
            RedisSystemException.class})
    ResponseEntity<ProblemDetail> storeUnavailable(DataAccessException e, HttpServletRequest request) {
        LOG.warn("{} {}: session store unavailable: {} (cause: {})", request.getMethod(), request.getRequestURI(), e,
                String.valueOf(e.getCause()));
        return api(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable",
                "the session store is unavailable; retry after the given delay with the same If-Match"), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> bug(Exception e, HttpServletRequest request) {
        LOG.error("{} {}: unexpected failure", request.getMethod(), request.getRequestURI(), e);
        return api(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal",
                "internal error: " + e.getClass().getSimpleName()), request);
    }

    private static String fieldOf(HttpMessageNotReadableException e) {
        Throwable c = e.getCause();
        if (c instanceof JacksonException j && !j.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JacksonException.Reference r : j.getPath()) {
                if (r.getPropertyName() != null) {
                    path.append(path.isEmpty() ? "" : ".").append(r.getPropertyName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
            return path.isEmpty() ? null : path.toString();
        }
        return null;
    }

    private static String describe(HttpMessageNotReadableException e) {
        Throwable c = e.getCause();
        if (c instanceof JacksonException j) {
            return j.getOriginalMessage();
        }
        return e.getMessage() == null ? "unreadable" : e.getMessage();
    }
}
