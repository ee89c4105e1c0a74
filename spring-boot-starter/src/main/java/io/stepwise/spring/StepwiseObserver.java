package io.stepwise.spring;

/**
 * Receives what the served models do, for metrics. The starter's Micrometer binding ({@link StepwiseMetrics})
 * implements it; {@link #NONE} when no meter registry is present. Called on the threads that do the work, so
 * implementations must be thread-safe and quick.
 */
public interface StepwiseObserver {

    /** An observer that ignores everything. */
    StepwiseObserver NONE = new StepwiseObserver() {
    };

    /** A model was loaded and is served from now on (register gauges on it here). */
    default void onModelLoaded(ServedModel model) {
    }

    /** {@code steps} steps of one session ran in one call of {@code nanos} nanoseconds. */
    default void onSteps(String model, int steps, long nanos) {
    }

    /** One batched call ran {@code size} sessions' steps after the oldest waited {@code queueWaitNanos}. */
    default void onBatch(String model, int size, long queueWaitNanos, long runNanos) {
    }

    /** A request for the model was refused (overload, shutting down, rate limit): {@code reason} is a short tag. */
    default void onRejected(String model, String reason) {
    }

    /** A live session was evicted (idle, capacity). */
    default void onEvicted(String model, String reason) {
    }
}
