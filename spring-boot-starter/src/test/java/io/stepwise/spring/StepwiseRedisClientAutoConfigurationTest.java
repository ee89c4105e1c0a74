package io.stepwise.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lettuce.core.resource.ClientResources;
import io.stepwise.spring.store.SessionStore;
import io.stepwise.spring.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.dao.DataAccessException;

class StepwiseRedisClientAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, StepwiseAutoConfiguration.class,
                    StepwiseRedisStoreAutoConfiguration.class, StepwiseRedisClientAutoConfiguration.class))
            .withPropertyValues("stepwise.models.co2.path="
                    + StepwiseAutoConfigurationTest.MODELS.resolve("co2-rnn.onnx"), "stepwise.store.type=redis");

    @Test
    void theReconnectBackOffStopsAtTheConfiguredMaximum() {
        runner.run(ctx -> {
            ClientResources resources = ctx.getBean(ClientResources.class);
            assertThat(resources.reconnectDelay().createDelay(1)).isEqualTo(Duration.ofMillis(10));
            assertThat(resources.reconnectDelay().createDelay(40)).isEqualTo(Duration.ofMillis(500));
        });
        runner.withPropertyValues("stepwise.store.reconnect-max-delay=2s").run(ctx ->
                assertThat(ctx.getBean(ClientResources.class).reconnectDelay().createDelay(40))
                        .isEqualTo(Duration.ofSeconds(2)));
        runner.withPropertyValues("stepwise.store.reconnect-max-delay=1ms").run(ctx ->
                assertThat(ctx).getFailure().rootCause().hasMessageContaining(
                        "stepwise.store.reconnect-max-delay: expected at least 10 ms but got PT0.001S"));
    }

    @Test
    void whileRedisIsDownCommandsFailAtOnceInsteadOfWaitingForTheConnection() throws Exception {
        RedisServer redis = RedisServer.start();
        try {
            runner.withPropertyValues("spring.data.redis.port=" + redis.port()).run(ctx -> {
                SessionStore store = ctx.getBean(SessionStore.class);
                assertThat(store.find("nope")).isEmpty();
                redis.close();
                // Lettuce's default queues the command until the connection is back or 60 s have passed.
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> store.find("nope"))
                        .isInstanceOf(DataAccessException.class));
            });
        } finally {
            redis.close();
        }
    }
}
