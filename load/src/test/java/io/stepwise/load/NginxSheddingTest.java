package io.stepwise.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The generated front in a real nginx (Debian's, as make load-test uses; skipped where none is installed) before a
 * stand-in replica that holds requests until released: beyond the limits nginx itself answers 503 (requests or
 * generations at once) or 429 (rate) with Retry-After and a problem detail, the replica never sees those requests,
 * and each refusal is in the refusal log with no upstream address.
 */
class NginxSheddingTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @Test
    void refusesBadArgumentsNamingThem() {
        Path log = dir.resolve("r.log");
        assertMessage(() -> NginxShedding.config("shed", "127.0.0.1:1", List.of("127.0.0.1:2"), 0, 1, 0, 1, log),
                "max-requests: expected ≥ 1 but got 0");
        assertMessage(() -> NginxShedding.config("shed", "127.0.0.1:1", List.of("127.0.0.1:2"), 1, 0, 0, 1, log),
                "max-generations: expected ≥ 1 but got 0");
        assertMessage(() -> NginxShedding.config("shed", "127.0.0.1:1", List.of(), 1, 1, 0, 1, log), "replicas");
        assertMessage(() -> NginxShedding.config("Shed-1", "127.0.0.1:1", List.of("127.0.0.1:2"), 1, 1, 0, 1, log),
                "'Shed-1'");
        assertMessage(() -> NginxShedding.config("shed", "127.0.0.1:1", List.of("127.0.0.1:2"), 1, 1, Double.NaN,
                1, log), "rate: expected ≥ 0 (0 = no limit) but got NaN");
        assertMessage(() -> NginxShedding.config("shed", "127.0.0.1:1", List.of("127.0.0.1:2"), 1, 1, 0, 1,
                dir.resolve("a b.log")), "refusal-log");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' does not say '" + part + "'");
    }

    @Test
    void limitsAreSummedOverReplicas() {
        String c = NginxShedding.config("two", "127.0.0.1:1", List.of("127.0.0.1:2", "127.0.0.1:3"), 30, 2, 100, 1,
                dir.resolve("r.log"));
        for (String part : List.of("limit_conn two_requests 60;", "limit_conn two_generations 4;", "rate=200r/s",
                "burst=400 nodelay", "server 127.0.0.1:3 ")) {
            assertTrue(c.contains(part), () -> "no '" + part + "' in\n" + c);
        }
    }

    @Test
    void nginxRefusesBeyondItsLimitsWithRetryAfterAndAProblemDetail() throws Exception {
        Path nginx = Path.of("/usr/sbin/nginx");
        assumeTrue(Files.isExecutable(nginx), "Debian's nginx is not installed (make load-test installs it)");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reachedReplica = new AtomicInteger();
        HttpServer replica = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        replica.setExecutor(Executors.newCachedThreadPool());
        replica.createContext("/", exchange -> {
            reachedReplica.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().endsWith("/hold") || exchange.getRequestURI().getPath().endsWith("/generate")) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        replica.start();
        int limits = freePort();
        int rate = freePort();
        String upstream = "127.0.0.1:" + replica.getAddress().getPort();
        Path log = dir.resolve("refusals.log");
        StringBuilder conf = new StringBuilder("worker_processes 1; daemon off; pid " + dir.resolve("nginx.pid")
                + "; error_log " + dir.resolve("error.log") + " warn; events { worker_connections 256; }\nhttp {\n"
                + "  access_log off; proxy_http_version 1.1; proxy_set_header Connection \"\";\n");
        for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            conf.append("  ").append(t).append("_temp_path ").append(dir.resolve("temp-" + t)).append(";\n");
        }
        conf.append(NginxShedding.config("limits", "127.0.0.1:" + limits, List.of(upstream), 1, 2, 0, 3, log));
        conf.append(NginxShedding.config("rate", "127.0.0.1:" + rate, List.of(upstream), 1000, 1000, 1, 3, log));
        conf.append("}\n");
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        Process p = new ProcessBuilder(nginx.toString(), "-e", dir.resolve("error.log").toString(), "-p",
                dir.toString(), "-c", confFile.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try {
            waitForPort(limits, p);
            String base = "http://127.0.0.1:" + limits;
            // Two generations and one other request held by the replica: the front is full for both kinds.
            held.add(HTTP.sendAsync(post(base + "/v1/models/m/generate"), HttpResponse.BodyHandlers.ofString()));
            held.add(HTTP.sendAsync(post(base + "/v1/models/m/generate"), HttpResponse.BodyHandlers.ofString()));
            held.add(HTTP.sendAsync(post(base + "/v1/sessions/s/hold"), HttpResponse.BodyHandlers.ofString()));
            while (reachedReplica.get() < 3) {
                Thread.sleep(20);
                assertTrue(p.isAlive(), "nginx runs");
            }
            assertRefusal(HTTP.send(post(base + "/v1/models/m/generate"), HttpResponse.BodyHandlers.ofString()),
                    503, "overloaded", "concurrent_generations");
            assertRefusal(HTTP.send(post(base + "/v1/sessions/s/step"), HttpResponse.BodyHandlers.ofString()),
                    503, "overloaded", "concurrent_requests");
            assertEquals(3, reachedReplica.get(), "refused requests never reach the replica");
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "health is never shed");
            assertEquals(204, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/lb-probe")).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "the probe is answered by nginx itself");
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> h : held) {
                assertEquals(200, h.get(60, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(200, HTTP.send(post(base + "/v1/models/m/generate"), HttpResponse.BodyHandlers.ofString())
                    .statusCode(), "a generation once the slots are free again");

            // 1 request/s with a burst of 2: of 30 back-to-back requests, at most 3 + (seconds taken) pass.
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = HTTP.send(post("http://127.0.0.1:" + rate + "/v1/sessions/s/step"),
                        HttpResponse.BodyHandlers.ofString());
                statuses.add(r.statusCode());
                if (r.statusCode() == 429) {
                    assertRefusal(r, 429, "rate-limited", null);
                }
            }
            assertTrue(statuses.contains(429), () -> "no 429 in " + statuses);
            assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 429), () -> "statuses " + statuses);
        } finally {
            release.countDown();
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            replica.stop(0);
        }
        // nginx flushes its buffered log when it stops.
        List<String> refusals = Files.readAllLines(log);
        assertFalse(refusals.isEmpty(), "refusals logged");
        for (String line : refusals) {
            assertEquals("-", line.split(" ")[3], () -> "refused by nginx itself: no upstream address in " + line);
        }
        assertTrue(refusals.stream().anyMatch(l -> l.contains(" 503 ") && l.endsWith("POST /v1/models/m/generate")),
                () -> "no refused generation in " + refusals);
    }

    private static void assertRefusal(HttpResponse<String> r, int status, String type, String limit) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("3", r.headers().firstValue("Retry-After").orElse(null), "Retry-After");
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                () -> "Content-Type " + r.headers().firstValue("Content-Type"));
        JsonNode problem = ApiClient.JSON.readTree(r.body());
        assertEquals("urn:stepwise:problem:" + type, problem.get("type").asString());
        assertEquals(status, problem.get("status").asInt());
        assertFalse(problem.get("detail").asString().isBlank(), "detail");
        assertEquals("load-balancer", problem.get("by").asString());
        if (limit != null) {
            assertEquals(limit, problem.get("limit").asString());
        }
    }

    private static HttpRequest post(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port, Process nginx) throws Exception {
        for (int i = 0; i < 600; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                assertTrue(nginx.isAlive(), "nginx started (see its error.log)");
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nginx did not listen on " + port);
    }
}
