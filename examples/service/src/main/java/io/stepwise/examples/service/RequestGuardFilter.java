package io.stepwise.examples.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards every {@code /v1} request before a controller sees it, in this order: the API key (401), the rate limit
 * per key or client address (429 with Retry-After), the body size (413: at once from Content-Length, or while
 * reading a chunked body), a generation slot for {@code POST /v1/models/{model}/generate} (503 with Retry-After;
 * taken here, before the body is parsed, and held until the request — its whole event stream — ends), the number
 * of requests in the service at once (503 with Retry-After, at once, so that overload is answered fast rather than
 * queued behind blocked worker threads). A generation that would be refused for its input (400, 404) is refused
 * with 503 instead while every slot is busy: the slot is checked first because it is the cheaper check. Sets the request's owner — a hash of its key, never the key — for session ownership.
 *
 * <p>It is the first filter of the chain ({@link Ordered#HIGHEST_PRECEDENCE}; Spring's HTTP observation filter
 * comes at +1), so that a refusal under overload costs only this filter, not an observation, a request context and
 * the rest. Refusals therefore do not show in {@code http.server.requests}; they are counted here instead, in
 * {@code stepwise.requests.rejected} tagged {@code model=-} (not known before the controller) and {@code reason}
 * (the problem type). Client addresses come from Tomcat (its RemoteIpValve with
 * {@code server.forward-headers-strategy=native}), which runs before any filter; the {@code framework} strategy's
 * filter has the same order and may run after this one, so the rate limit needs {@code native} behind a load
 * balancer.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestGuardFilter extends OncePerRequestFilter {
    /** The {@code model} tag of refusals counted here: the guard runs before the model is known. */
    static final String NO_MODEL = "-";
    /** Request attribute: the owner tag of the caller (empty without API keys). */
    static final String OWNER = "stepwise.owner";

    private final ServiceProperties properties;
    private final Generation generation;
    private final Map<String, String> ownerByKey = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    /** Requests in the service at once: beyond it, 503 at once instead of a queue of blocked worker threads. */
    private final java.util.concurrent.Semaphore inFlight;
    private final ObjectProvider<MeterRegistry> meters;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    RequestGuardFilter(ServiceProperties properties, Generation generation, ObjectProvider<MeterRegistry> meters) {
        this.properties = properties;
        this.generation = generation;
        this.meters = meters;
        for (String key : properties.getApiKeys()) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("stepwise.service.api-keys: an entry is empty");
            }
            ownerByKey.put(key, sha256(key));
        }
        if (properties.getMaxRequestBytes() < 1) {
            throw new IllegalArgumentException("stepwise.service.max-request-bytes: expected ≥ 1 but got "
                    + properties.getMaxRequestBytes());
        }
        if (properties.getMaxConcurrentRequests() < 1) {
            throw new IllegalArgumentException("stepwise.service.max-concurrent-requests: expected ≥ 1 but got "
                    + properties.getMaxConcurrentRequests());
        }
        inFlight = new java.util.concurrent.Semaphore(properties.getMaxConcurrentRequests());
        if (!(properties.getRateLimitRequestsPerSecond() >= 0)) {
            throw new IllegalArgumentException("stepwise.service.rate-limit-requests-per-second: expected ≥ 0"
                    + " (0 = no limit) but got " + properties.getRateLimitRequestsPerSecond());
        }
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/v1/") && !request.getRequestURI().equals("/v1");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = apiKey(request);
        String owner = "";
        if (!ownerByKey.isEmpty()) {
            owner = key == null ? null : ownerByKey.get(key);
            if (owner == null) {
                response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
                refuse(response, HttpStatus.UNAUTHORIZED, "unauthorized", key == null
                        ? "an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>"
                        : "the API key is not known", request.getRequestURI(), Map.of());
                return;
            }
        }
        double rate = properties.getRateLimitRequestsPerSecond();
        if (rate > 0) {
            String client = owner.isEmpty() ? "addr:" + request.getRemoteAddr() : owner;
            if (buckets.size() > 100_000) {
                buckets.clear();
            }
            TokenBucket bucket = buckets.computeIfAbsent(client, c -> new TokenBucket(rate, Math.max(1, 2 * rate)));
            if (!bucket.tryTake()) {
                refuseRetryLater(response, HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "more than " + rate
                        + " requests per second (stepwise.service.rate-limit-requests-per-second); retry later",
                        request.getRequestURI(), Map.of());
                return;
            }
        }
        long limit = properties.getMaxRequestBytes();
        if (request.getContentLengthLong() > limit) {
            refuse(response, HttpStatus.PAYLOAD_TOO_LARGE, "payload-too-large", "the body has "
                    + request.getContentLengthLong() + " bytes; at most " + limit + " are accepted",
                    request.getRequestURI(), Map.of("limit", limit));
            return;
        }
        request.setAttribute(OWNER, owner);
        boolean generating = isGeneration(request);
        if (generating && !generation.tryAcquire()) {
            refuseRetryLater(response, HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "all " + generation.slots()
                    + " generation slots are busy (stepwise.service.max-concurrent-generations); retry later",
                    request.getRequestURI(), Map.of("limit", "concurrent_generations"));
            return;
        }
        try {
            if (!inFlight.tryAcquire()) {
                refuseRetryLater(response, HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "more than "
                        + properties.getMaxConcurrentRequests() + " requests at once"
                        + " (stepwise.service.max-concurrent-requests); retry later", request.getRequestURI(),
                        Map.of("limit", "concurrent_requests"));
                return;
            }
            try {
                chain.doFilter(new LimitedRequest(request, limit), response);
            } finally {
                inFlight.release();
            }
        } finally {
            if (generating) {
                generation.release(); // an event stream is written on this thread, so it has ended here
            }
        }
    }

    /** {@code POST /v1/models/{model}/generate}: the one request that needs a generation slot. */
    static boolean isGeneration(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String prefix = "/v1/models/";
        String suffix = "/generate";
        return "POST".equals(request.getMethod()) && uri.startsWith(prefix) && uri.endsWith(suffix)
                && uri.length() > prefix.length() + suffix.length()
                && uri.indexOf('/', prefix.length()) == uri.length() - suffix.length();
    }

    /** {@link #refuse} with Retry-After: a refusal the client may try again (429, 503). */
    private void refuseRetryLater(HttpServletResponse response, HttpStatus status, String type, String detail,
                                  String instance, Map<String, Object> properties) throws IOException {
        response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(this.properties.getRetryAfterSeconds()));
        refuse(response, status, type, detail, instance, properties);
    }

    /** Writes the refusal and counts it: it never reaches the HTTP observation, which runs after this filter. */
    private void refuse(HttpServletResponse response, HttpStatus status, String type, String detail, String instance,
                        Map<String, Object> properties) throws IOException {
        MeterRegistry registry = meters.getIfAvailable();
        if (registry != null) {
            rejected.computeIfAbsent(type, t -> Counter.builder("stepwise.requests.rejected")
                    .description("Requests refused (overload, shutdown, limits)")
                    .tag("model", NO_MODEL).tag("reason", t).register(registry)).increment();
        }
        Problems.write(response, status, type, detail, instance, properties);
    }

    private static String apiKey(HttpServletRequest request) {
        String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return request.getHeader("X-API-Key");
    }

    static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A body read past the limit (chunked, so not known up front). */
    static final class PayloadTooLargeException extends IOException {
        private final long limit;

        PayloadTooLargeException(long limit) {
            super("the body is larger than the " + limit + " bytes accepted");
            this.limit = limit;
        }

        long limit() {
            return limit;
        }
    }

    /** Counts the bytes read and fails past the limit. */
    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = in.read(buf, off, len);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws PayloadTooLargeException {
                        read += n;
                        if (read > limit) {
                            throw new PayloadTooLargeException(limit);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }

    /** Refills at {@code rate} tokens per second up to {@code capacity}. */
    private static final class TokenBucket {
        private final double rate;
        private final double capacity;
        private double tokens;
        private long last = System.nanoTime();

        TokenBucket(double rate, double capacity) {
            this.rate = rate;
            this.capacity = capacity;
            this.tokens = capacity;
        }

        synchronized boolean tryTake() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
