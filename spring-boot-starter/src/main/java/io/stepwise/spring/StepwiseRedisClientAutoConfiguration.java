package io.stepwise.spring;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * With {@code stepwise.store.type=redis}: how the Lettuce client behaves when Redis goes away, tuned for a service
 * whose every request touches Redis. Lettuce's defaults suit a background job, not this:
 * <ul>
 *   <li>it reconnects with an exponential back-off up to 30 s, so after a Redis restart of a few seconds a replica
 *       could stay disconnected for several seconds more (the load test saw ~8 s) — here the back-off stops at
 *       {@code stepwise.store.reconnect-max-delay} (500 ms);</li>
 *   <li>it queues commands while disconnected, so every request waits, holding a request slot, until the connection
 *       is back or the command times out (60 s) — here they are refused at once, which the service answers with 503
 *       {@code store-unavailable} and Retry-After: the client retries, nothing hangs.</li>
 * </ul>
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ClientResources.class, ClientResourcesBuilderCustomizer.class})
@ConditionalOnProperty(name = "stepwise.store.type", havingValue = "redis")
public class StepwiseRedisClientAutoConfiguration {
    /** First reconnect attempt after this; each further one waits twice as long, up to the configured maximum. */
    static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(10);

    @Bean
    public ClientResourcesBuilderCustomizer stepwiseRedisReconnectDelay(StepwiseProperties properties) {
        Duration max = properties.getStore().getReconnectMaxDelay();
        if (max == null || max.compareTo(FIRST_RECONNECT_DELAY) < 0) {
            throw new IllegalArgumentException("stepwise.store.reconnect-max-delay: expected at least "
                    + FIRST_RECONNECT_DELAY.toMillis() + " ms but got " + max);
        }
        return b -> b.reconnectDelay(Delay.exponential(FIRST_RECONNECT_DELAY, max, 2, TimeUnit.MILLISECONDS));
    }

    @Bean
    public LettuceClientOptionsBuilderCustomizer stepwiseRedisRejectWhileDisconnected() {
        return b -> b.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
}
