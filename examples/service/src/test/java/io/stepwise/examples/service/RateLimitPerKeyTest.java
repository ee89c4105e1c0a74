package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With API keys the rate limit counts per key, wherever the requests come from (behind a load balancer all come
 * from one address); and without the trusted-proxy setting {@code X-Forwarded-For} is ignored, so a client cannot
 * pick a fresh bucket by sending the header itself.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stepwise.models.co2-rnn.path=../../models/co2-rnn.onnx",
        "stepwise.service.rate-limit-requests-per-second=2",
        "stepwise.service.api-keys=key-one,key-two"})
class RateLimitPerKeyTest {
    @LocalServerPort
    int port;

    private final ServiceTestBase client = new ServiceTestBase() {
    };

    private int get(String key, String forwardedFor) {
        client.port = port;
        return client.send("GET", "/v1/models/co2-rnn", key, null, "X-Forwarded-For", forwardedFor).status();
    }

    @Test
    void eachKeyHasItsOwnBucketAndForwardedForIsIgnored() {
        int status = 200;
        for (int i = 0; i < 40 && status == 200; i++) {
            status = get("key-one", "203.0.113." + (i + 1));
        }
        assertThat(status).as("key-one after its burst, under ever new X-Forwarded-For addresses").isEqualTo(429);
        assertThat(get("key-two", "203.0.113.1")).as("key-two, from the same address").isEqualTo(200);
    }
}
