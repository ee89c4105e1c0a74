package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Overload is answered at once: with one request allowed in the service at a time, concurrent clients get 503
 * `overloaded` with Retry-After straight away (not after queueing behind a busy worker), and every other request
 * succeeds.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stepwise.models.co2-rnn.path=../../models/co2-rnn.onnx",
        "stepwise.service.max-concurrent-requests=1",
        "stepwise.service.retry-after-seconds=3"})
class ConcurrencyLimitTest {
    @LocalServerPort
    int port;

    @Test
    void requestsBeyondTheConcurrencyLimitAre503AtOnce() throws Exception {
        List<Double> history = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            history.add(400.0 + Math.sin(i / 8.0));
        }
        String body = ServiceTestBase.json(Map.of("history", history, "horizon", 200));
        ConcurrentLinkedQueue<int[]> results = new ConcurrentLinkedQueue<>(); // {status, millis}
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                clients.add(pool.submit(() -> {
                    ServiceTestBase client = new ServiceTestBase() {
                    };
                    client.port = port;
                    for (int i = 0; i < 8; i++) {
                        long t = System.nanoTime();
                        ServiceTestBase.Reply r = client.send("POST", "/v1/models/co2-rnn/forecast", null, body);
                        results.add(new int[] {r.status(), (int) ((System.nanoTime() - t) / 1_000_000)});
                        if (r.status() == 503 && !"3".equals(r.header("Retry-After"))) {
                            problems.add("503 without Retry-After: 3");
                        }
                        if (r.status() == 503 && !r.body().contains("max-concurrent-requests")) {
                            problems.add("503 body does not name the limit: " + r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(problems).isEmpty();
        List<Integer> refusedMillis = new ArrayList<>();
        int ok = 0;
        for (int[] r : results) {
            assertThat(r[0]).as("status").isIn(200, 503);
            if (r[0] == 503) {
                refusedMillis.add(r[1]);
            } else {
                ok++;
            }
        }
        assertThat(ok).as("requests served").isPositive();
        assertThat(refusedMillis).as("requests refused").isNotEmpty();
        refusedMillis.sort(null);
        // "At once": the median refusal takes no longer than a handful of loopback round trips, far below one
        // served forecast's queueing; generous for a loaded 2-core machine.
        assertThat(refusedMillis.get(refusedMillis.size() / 2)).as("median refusal ms").isLessThan(1000);
    }
}
