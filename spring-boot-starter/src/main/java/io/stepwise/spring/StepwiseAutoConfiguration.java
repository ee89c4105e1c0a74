package io.stepwise.spring;

import io.stepwise.spring.store.InMemorySessionStore;
import io.stepwise.spring.store.SessionStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The models ({@link ModelRegistry}, one {@link ServedModel} per name) and the in-memory session store. Every bean
 * backs off when the application defines its own.
 */
@AutoConfiguration
@EnableConfigurationProperties(StepwiseProperties.class)
public class StepwiseAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public ModelRegistry stepwiseModelRegistry(StepwiseProperties properties,
                                               ObjectProvider<StepwiseObserver> observer) {
        return ModelRegistry.load(properties, observer.getIfAvailable(() -> StepwiseObserver.NONE));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(name = "stepwise.store.type", havingValue = "memory", matchIfMissing = true)
    public SessionStore stepwiseInMemorySessionStore(StepwiseProperties properties) {
        return new InMemorySessionStore(properties.getStore().getTtl(), properties.getStore().getMaxSessions());
    }
}
