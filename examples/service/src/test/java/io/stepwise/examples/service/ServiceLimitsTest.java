package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The embedded defaults (in-memory store, no API keys) with tight limits: a full store is 503 with Retry-After,
 * too many requests are 429 with Retry-After, and the service binds to loopback.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stepwise.models.co2-rnn.path=../../models/co2-rnn.onnx",
        "stepwise.store.max-sessions=2",
        "stepwise.service.rate-limit-requests-per-second=5",
        "stepwise.service.retry-after-seconds=2"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceLimitsTest {
    @LocalServerPort
    int port;

    private final ServiceTestBase client = new ServiceTestBase() {
    };

    private ServiceTestBase.Reply post(String path, Object body) {
        client.port = port;
        return client.send("POST", path, null, ServiceTestBase.json(body));
    }

    @Test
    @Order(1)
    void aFullStoreIs503WithRetryAfter() {
        assertThat(post("/v1/sessions", Map.of("model", "co2-rnn")).status()).isEqualTo(201);
        assertThat(post("/v1/sessions", Map.of("model", "co2-rnn")).status()).isEqualTo(201);
        ServiceTestBase.Reply full = post("/v1/sessions", Map.of("model", "co2-rnn"));
        ApiContractTest.assertProblem(full, 503, "overloaded");
        assertThat(full.header("Retry-After")).isEqualTo("2");
    }

    @Test
    @Order(2)
    void requestsBeyondTheRateAre429WithRetryAfter() {
        ServiceTestBase.Reply last = null;
        for (int i = 0; i < 30; i++) {
            last = post("/v1/models/co2-rnn/forecast", Map.of("history", java.util.List.of(400.0), "horizon", 1));
            if (last.status() == 429) {
                break;
            }
            assertThat(last.status()).isEqualTo(200);
        }
        ApiContractTest.assertProblem(last, 429, "rate-limited");
        assertThat(last.header("Retry-After")).isEqualTo("2");
    }

    @Test
    @Order(3)
    void theServiceListensOnLoopbackOnly() throws Exception {
        java.net.InetAddress external = null;
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (var address : java.util.Collections.list(nic.getInetAddresses())) {
                if (!address.isLoopbackAddress() && address instanceof java.net.Inet4Address) {
                    external = address;
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "no non-loopback address to try");
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(external, port), 2000);
            throw new AssertionError("the service accepted a connection on " + external);
        } catch (java.net.ConnectException expected) {
            // refused: nothing listens there
        }
    }
}
