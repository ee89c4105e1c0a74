package io.stepwise.examples.service;

import io.stepwise.spring.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as the tests run it: on a random loopback port, with the Redis state store on a real redis-server
 * (started once for the test JVM, stopped when it exits), two API keys, and three small default models. Test
 * classes extending it share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stepwise.models.charlm-rnn.path=../../models/charlm-rnn.onnx",
        "stepwise.models.co2-rnn.path=../../models/co2-rnn.onnx",
        "stepwise.models.langid-rnn.path=../../models/langid-rnn.onnx",
        "stepwise.store.type=redis",
        "stepwise.service.api-keys=key-a,key-b",
        "stepwise.service.max-new-tokens=65536",
        "stepwise.service.max-request-bytes=200000",
        "stepwise.service.max-steps-per-request=1000",
        "management.health.redis.enabled=true"})
abstract class ServiceTestBase {
    static final Path MODELS = Path.of("..", "..", "models");
    static final String KEY = "key-a";
    static final String OTHER_KEY = "key-b";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", () -> SharedRedis.get().port());
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
    }

    /** One redis-server for the whole test JVM. */
    static final class SharedRedis {
        private static RedisServer server;

        static synchronized RedisServer get() {
            if (server == null) {
                try {
                    server = RedisServer.start();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                RedisServer s = server;
                Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-redis"));
            }
            return server;
        }
    }

    /** A response: status, headers, body parsed as JSON when it is JSON. */
    record Reply(int status, HttpResponse<String> raw) {
        JsonNode json() {
            return JSON.readTree(raw.body());
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String body() {
            return raw.body();
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    Reply send(String method, String path, String key, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && !List.of(headers).contains("Content-Type")) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String path) {
        return send("GET", path, KEY, null);
    }

    Reply post(String path, String body, String... headers) {
        return send("POST", path, KEY, body, headers);
    }

    static String json(Object value) {
        return JSON.writeValueAsString(value);
    }
}
