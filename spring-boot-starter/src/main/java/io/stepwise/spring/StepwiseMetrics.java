package io.stepwise.spring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters for the served models, all tagged {@code model}:
 * <ul>
 *   <li>{@code stepwise.steps} (counter; its rate is steps/s) and {@code stepwise.step.latency} (timer, one sample
 *       per step or feed call);</li>
 *   <li>{@code stepwise.batch.size} (distribution) and {@code stepwise.queue.wait} (timer) — from the batching
 *       front, one sample per batched call;</li>
 *   <li>{@code stepwise.sessions.open} and {@code stepwise.queue.depth} (gauges);</li>
 *   <li>{@code stepwise.sessions.evicted} and {@code stepwise.requests.rejected} (counters, tagged
 *       {@code reason}).</li>
 * </ul>
 */
public final class StepwiseMetrics implements StepwiseObserver {
    private final MeterRegistry registry;
    private final Map<String, ModelMeters> byModel = new ConcurrentHashMap<>();

    public StepwiseMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void onModelLoaded(ServedModel model) {
        Gauge.builder("stepwise.sessions.open", model, ServedModel::openSessions)
                .description("Sessions and whole-sequence calls in flight").tag("model", model.name())
                .strongReference(true).register(registry);
        Gauge.builder("stepwise.queue.depth", model, ServedModel::queuedSteps)
                .description("Steps waiting for a batch").tag("model", model.name())
                .strongReference(true).register(registry);
    }

    @Override
    public void onSteps(String model, int steps, long nanos) {
        ModelMeters m = meters(model);
        m.steps.increment(steps);
        m.latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onBatch(String model, int size, long queueWaitNanos, long runNanos) {
        ModelMeters m = meters(model);
        m.batchSize.record(size);
        m.queueWait.record(queueWaitNanos, TimeUnit.NANOSECONDS);
    }

    /** Looked up once per model: a builder's register() is a registry lookup, and these run on every step. */
    private ModelMeters meters(String model) {
        return byModel.computeIfAbsent(model, m -> new ModelMeters(
                Counter.builder("stepwise.steps").description("Steps run").tag("model", m).register(registry),
                Timer.builder("stepwise.step.latency").description("Time of one step or feed call")
                        .tag("model", m).register(registry),
                DistributionSummary.builder("stepwise.batch.size").description("Sessions per batched call")
                        .tag("model", m).register(registry),
                Timer.builder("stepwise.queue.wait").description("Time a step waited for its batch")
                        .tag("model", m).register(registry)));
    }

    private record ModelMeters(Counter steps, Timer latency, DistributionSummary batchSize, Timer queueWait) {
    }

    @Override
    public void onRejected(String model, String reason) {
        Counter.builder("stepwise.requests.rejected").description("Requests refused (overload, shutdown, limits)")
                .tag("model", model).tag("reason", reason).register(registry).increment();
    }

    @Override
    public void onEvicted(String model, String reason) {
        Counter.builder("stepwise.sessions.evicted").description("Live sessions evicted")
                .tag("model", model).tag("reason", reason).register(registry).increment();
    }
}
