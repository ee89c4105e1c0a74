package io.stepwise.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reference service's API v1 over one shared {@link HttpClient} (HTTP/1.1, pooled keep-alive connections).
 * Every call returns a {@link Reply} — status, the session position from the ETag or the problem body, the
 * Retry-After header and the parsed body — and never throws for an HTTP status; an I/O failure (connection
 * refused or reset, timeout) is an {@link IOException}, which callers count as status 0 and may retry.
 */
final class ApiClient {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;

    ApiClient(HttpClient http, String baseUrl, Duration timeout) {
        this.http = http;
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.timeout = timeout;
    }

    static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    String baseUrl() {
        return base.toString();
    }

    /** One answer: status, position (ETag, or a 409's body), Retry-After (or null) and body (or null). */
    record Reply(int status, OptionalLong position, String retryAfter, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        float[][] outputs() {
            return floats2(body.get("outputs"));
        }
    }

    Reply model(String name) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/models/" + name)).timeout(timeout).GET().build());
    }

    Reply createSession(String model) throws IOException, InterruptedException {
        return send(post("/v1/sessions", Map.of("model", model), null));
    }

    Reply getSession(String id) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/sessions/" + id)).timeout(timeout).GET().build());
    }

    Reply state(String id) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/sessions/" + id + "/state")).timeout(timeout)
                .GET().build());
    }

    Reply step(String id, long ifMatch, int[] tokens) throws IOException, InterruptedException {
        return send(post("/v1/sessions/" + id + "/step", Map.of("tokens", tokens), ifMatch));
    }

    Reply observe(String id, long ifMatch, double[][] observations, int horizon)
            throws IOException, InterruptedException {
        return send(post("/v1/sessions/" + id + "/observations",
                Map.of("observations", observations, "horizon", horizon), ifMatch));
    }

    Reply delete(String id) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/sessions/" + id)).timeout(timeout).DELETE().build());
    }

    /** {@code GET path} with the body discarded: the status (a probe of the front's own floor latency). */
    int probe(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** What one streamed generation gave: status, tokens received, time to the first token, whole time. */
    record Generated(int status, int tokens, long firstTokenNanos, long totalNanos, String retryAfter,
                     boolean done) {
    }

    /** {@code POST /v1/models/{model}/generate} with {@code Accept: text/event-stream}, read event by event. */
    Generated generateSse(String model, String prompt, int maxNewTokens, long seed)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        body.put("maxNewTokens", maxNewTokens);
        body.put("seed", seed);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/models/" + model + "/generate"))
                .timeout(timeout.multipliedBy(4)).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
        String retryAfter = r.headers().firstValue("Retry-After").orElse(null);
        int tokens = 0;
        long first = -1;
        boolean done = false;
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("event:")) {
                    String event = line.substring(6).trim();
                    if (event.equals("token")) {
                        if (tokens++ == 0) {
                            first = System.nanoTime() - start;
                        }
                    } else if (event.equals("done")) {
                        done = true;
                    }
                }
            }
        }
        return new Generated(r.statusCode(), tokens, first, System.nanoTime() - start, retryAfter, done);
    }

    private HttpRequest post(String path, Object body, Long ifMatch) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (ifMatch != null) {
            b.header("If-Match", "\"" + ifMatch + "\"");
        }
        return b.build();
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = null;
        byte[] bytes = r.body();
        if (bytes != null && bytes.length > 0) {
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json")) {
                try {
                    body = JSON.readTree(bytes);
                } catch (RuntimeException e) {
                    body = null; // a proxy's HTML error page under a JSON type: the status says enough
                }
            }
        }
        OptionalLong position = OptionalLong.empty();
        String etag = r.headers().firstValue("ETag").orElse(null);
        if (etag != null) {
            position = OptionalLong.of(Long.parseLong(etag.replace("W/", "").replace("\"", "").trim()));
        } else if (body != null && body.has("position") && body.get("position").isNumber()) {
            position = OptionalLong.of(body.get("position").asLong());
        }
        return new Reply(r.statusCode(), position, r.headers().firstValue("Retry-After").orElse(null), body);
    }

    static float[][] floats2(JsonNode node) {
        float[][] out = new float[node.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = floats(node.get(i));
        }
        return out;
    }

    static float[] floats(JsonNode node) {
        float[] out = new float[node.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = node.get(j).floatValue();
        }
        return out;
    }

    static byte[] base64(JsonNode node) {
        return Base64.getDecoder().decode(node.asString());
    }
}
