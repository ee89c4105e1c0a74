package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.Filter;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * The guard is the first filter: a refused request is answered before any later filter runs (a probe at Spring's
 * HTTP observation filter's order, {@link Ordered#HIGHEST_PRECEDENCE} + 1, never sees it, and neither does the
 * observation itself), still with its problem detail and Retry-After, and it is counted in
 * {@code stepwise.requests.rejected} instead.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stepwise.models.co2-rnn.path=../../models/co2-rnn.onnx",
        // One request per 100 s, burst 1: the second request is refused however slow the machine.
        "stepwise.service.rate-limit-requests-per-second=0.01",
        "stepwise.service.retry-after-seconds=7"})
class GuardFirstTest {
    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @Autowired
    AtomicInteger probeSeen;

    private final ServiceTestBase client = new ServiceTestBase() {
    };

    @TestConfiguration
    static class Probe {
        @Bean
        AtomicInteger probeSeen() {
            return new AtomicInteger();
        }

        /** Counts the /v1 requests that get past the guard to the observation filter's place in the chain. */
        @Bean
        FilterRegistrationBean<Filter> probeAtObservationOrder(AtomicInteger probeSeen) {
            FilterRegistrationBean<Filter> r = new FilterRegistrationBean<>((req, res, chain) -> {
                probeSeen.incrementAndGet();
                chain.doFilter(req, res);
            });
            r.addUrlPatterns("/v1/*");
            r.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
            return r;
        }
    }

    @Test
    void aRefusalReachesNoLaterFilterAndIsCountedByTheService() {
        client.port = port;
        ServiceTestBase.Reply served = client.send("GET", "/v1/models/co2-rnn", null, null);
        assertThat(served.status()).isEqualTo(200);
        assertThat(probeSeen.get()).as("a served request passes the later filters").isEqualTo(1);
        double observedBefore = observed429();

        ServiceTestBase.Reply refused = client.send("GET", "/v1/models/co2-rnn", null, null);

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("7");
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.body()).contains("\"status\":429").contains("rate-limited")
                .contains("rate-limit-requests-per-second");
        assertThat(probeSeen.get()).as("the refusal reached no later filter").isEqualTo(1);
        assertThat(observed429()).as("the refusal left the HTTP observation").isEqualTo(observedBefore);
        Counter rejected = registry.find("stepwise.requests.rejected")
                .tags("model", RequestGuardFilter.NO_MODEL, "reason", "rate-limited").counter();
        assertThat(rejected).as("stepwise.requests.rejected{reason=rate-limited}").isNotNull();
        assertThat(rejected.count()).isEqualTo(1.0);
    }

    private double observed429() {
        return registry.find("http.server.requests").tag("status", "429").timers().stream()
                .mapToDouble(t -> t.count()).sum();
    }
}
