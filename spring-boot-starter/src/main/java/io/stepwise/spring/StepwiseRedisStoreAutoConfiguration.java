package io.stepwise.spring;

import io.stepwise.spring.store.RedisSessionStore;
import io.stepwise.spring.store.SessionStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * With {@code stepwise.store.type=redis}: sessions in Redis, on the connection Spring Boot configures from
 * {@code spring.data.redis.*} (add {@code spring-boot-starter-data-redis}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnProperty(name = "stepwise.store.type", havingValue = "redis")
public class StepwiseRedisStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public SessionStore stepwiseRedisSessionStore(RedisConnectionFactory connections,
                                                  StepwiseProperties properties) {
        return new RedisSessionStore(connections, properties.getStore().getKeyPrefix(),
                properties.getStore().getTtl());
    }
}
