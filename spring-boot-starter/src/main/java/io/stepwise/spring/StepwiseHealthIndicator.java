package io.stepwise.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code stepwise} health: UP when every model is loaded, OUT_OF_SERVICE while shutting down, DOWN when a model is
 * closed; per model: loaded, open sessions, queued steps, and the batching front's counters.
 */
public final class StepwiseHealthIndicator implements HealthIndicator {
    private final ModelRegistry registry;

    public StepwiseHealthIndicator(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        boolean up = true;
        boolean draining = false;
        Map<String, Object> models = new LinkedHashMap<>();
        for (ServedModel m : registry.all()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("loaded", m.isLoaded());
            d.put("task", m.info().task().toString());
            d.put("openSessions", m.openSessions());
            d.put("queuedSteps", m.queuedSteps());
            d.put("batched", m.isBatched());
            m.batchingStats().ifPresent(b -> {
                d.put("batchedSessions", b.openSessions());
                d.put("evictedSessions", b.evictedSessions());
                d.put("rejectedRequests", b.rejectedRequests());
                d.put("meanBatchSize", b.meanBatchSize());
            });
            models.put(m.name(), d);
            up &= m.isLoaded();
            draining |= m.isDraining();
        }
        Health.Builder b = draining ? Health.outOfService() : up ? Health.up() : Health.down();
        return b.withDetail("models", models).build();
    }
}
