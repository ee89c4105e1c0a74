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
 * A state store that cannot be reached, or a model that is shutting down, is the service's trouble, not the
 * client's: 503 with Retry-After.
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
}
