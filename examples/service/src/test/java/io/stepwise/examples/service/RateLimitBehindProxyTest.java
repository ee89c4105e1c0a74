package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Behind a load balancer every request comes from the balancer's address. With the trusted-proxy setting the README
 * documents ({@code server.forward-headers-strategy=native} and the balancer's address in
 * {@code server.tomcat.remoteip.internal-proxies}), the rate limit counts each client by the address the balancer
 * put into {@code X-Forwarded-For}, so one busy client is refused while another behind the same balancer is not;
 * addresses a client writes into the header itself, left of the balancer's entry, do not make it someone else.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stepwise.models.co2-rnn.path=../../models/co2-rnn.onnx",
        // One request per 20 s, burst 1: a bucket emptied stays empty for the test, however slow the machine.
        "stepwise.service.rate-limit-requests-per-second=0.05",
        "server.forward-headers-strategy=native",
        "server.tomcat.remoteip.internal-proxies=127.0.0.1/32"})
class RateLimitBehindProxyTest {
    @LocalServerPort
    int port;

    private final ServiceTestBase client = new ServiceTestBase() {
    };

    private int getAs(String forwardedFor) {
        client.port = port;
        return client.send("GET", "/v1/models/co2-rnn", null, null, "X-Forwarded-For", forwardedFor).status();
    }

    /** Requests as {@code forwardedFor} until the first 429; fails if none comes within 40 (the burst is 1). */
    private void exhaust(String forwardedFor) {
        for (int i = 0; i < 40; i++) {
            int status = getAs(forwardedFor);
            if (status == 429) {
                return;
            }
            assertThat(status).as("request %d as %s", i, forwardedFor).isEqualTo(200);
        }
        throw new AssertionError(forwardedFor + ": no 429 within 40 requests at a limit of one per 20 s");
    }

    @Test
    void eachForwardedClientHasItsOwnBucket() {
        exhaust("203.0.113.1");
        assertThat(getAs("203.0.113.2")).as("another client behind the same proxy").isEqualTo(200);
    }

    @Test
    void aClientCannotForgeItsWayOutOfItsBucket() {
        exhaust("203.0.113.7");
        // The proxy appends the address it saw; what the client sent itself stands to the left of it.
        assertThat(getAs("198.51.100.9, 203.0.113.7")).isEqualTo(429);
    }
}
