package io.stepwise.examples.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * A state store that cannot be reached, a model that is shutting down, a full batching front or a batched session
 * evicted mid-request is the service's trouble, not the client's: 503 with Retry-After.
 */
class ApiExceptionHandlerTest {

    private final ServiceProperties properties = new ServiceProperties();
    private final ApiExceptionHandler handler = new ApiExceptionHandler(properties);
    private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/sessions/abc/step");

    @Test
    void anUnreachableRedisIsA503WithRetryAfter() {
        ResponseEntity<ProblemDetail> r = handler.storeUnavailable(
                new RedisConnectionFailureException("Unable to connect to Redis"), request);
        assertEquals(503, r.getStatusCode().value());
        assertEquals(Integer.toString(properties.getRetryAfterSeconds()), r.getHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        assertTrue(r.getBody().getType().toString().endsWith("store-unavailable"), r.getBody().getType().toString());
        assertEquals("/v1/sessions/abc/step", r.getBody().getInstance().toString());
    }

    @Test
    void redisStillLoadingItsAppendOnlyFileIsA503() {
        ResponseEntity<ProblemDetail> r = handler.storeUnavailable(new org.springframework.data.redis
                .RedisSystemException("Error in execution", new io.lettuce.core.RedisLoadingException(
                        "LOADING Redis is loading the dataset in memory")), request);
        assertEquals(503, r.getStatusCode().value());
        assertTrue(r.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER));
    }

    @Test
    void aRedisTimeoutIsA503Too() {
        ResponseEntity<ProblemDetail> r = handler.storeUnavailable(new QueryTimeoutException("Redis command timed out"),
                request);
        assertEquals(503, r.getStatusCode().value());
        assertTrue(r.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER));
    }

    @Test
    void aModelShuttingDownIsA503WithRetryAfter() {
        ResponseEntity<ProblemDetail> r = handler.unavailable(new io.stepwise.spring.ModelUnavailableException(
                "shutting-down", "model co2: the service is shutting down and takes no new work"), request);
        assertEquals(503, r.getStatusCode().value());
        assertEquals(Integer.toString(properties.getRetryAfterSeconds()), r.getHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        assertEquals("urn:stepwise:problem:shutting-down", r.getBody().getType().toString());
        assertEquals("Shutting down", r.getBody().getTitle());
    }

    @Test
    void aFullBatchingFrontIsA503NamingTheLimit() {
        io.stepwise.runtime.batch.BatchingOverloadedException full = null;
        try (io.stepwise.runtime.RecurrentModel model = io.stepwise.runtime.RecurrentModel.load(
                        ServiceTestBase.MODELS.resolve("co2-rnn.onnx"));
                io.stepwise.runtime.batch.BatchingModel front = io.stepwise.runtime.batch.BatchingModel.builder()
                        .setModel(model).optMaxSessions(1).build();
                var first = front.newSession()) {
            front.newSession().close();
        } catch (io.stepwise.runtime.batch.BatchingOverloadedException e) {
            full = e;
        }
        assertTrue(full != null, "a second session beyond max-sessions 1 must be refused");
        ResponseEntity<ProblemDetail> r = handler.batchingOverloaded(full, request);
        assertEquals(503, r.getStatusCode().value());
        assertEquals(Integer.toString(properties.getRetryAfterSeconds()), r.getHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        assertEquals("urn:stepwise:problem:overloaded", r.getBody().getType().toString());
        assertEquals("sessions", r.getBody().getProperties().get("limit"));
    }

    @Test
    void aSessionEvictedMidRequestIsA503WithRetryAfter() {
        ResponseEntity<ProblemDetail> r = handler.evicted(new io.stepwise.runtime.batch.SessionEvictedException(
                "s1", java.time.Instant.now(), "idle", "idle for more than PT30M"), request);
        assertEquals(503, r.getStatusCode().value());
        assertTrue(r.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER));
        assertEquals("urn:stepwise:problem:overloaded", r.getBody().getType().toString());
    }
}
