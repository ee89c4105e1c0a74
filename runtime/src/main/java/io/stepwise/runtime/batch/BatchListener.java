package io.stepwise.runtime.batch;

/**
 * Observes a {@link BatchingModel}, e.g. to feed metrics. Every method has an empty default. Methods are called on
 * the model's scheduler or eviction thread, or on a caller's thread (a rejection, or a lone synchronous step that
 * ran on its caller's thread); they must be quick and must
 * not throw (an exception is caught and ignored so that it cannot stop the scheduler).
 */
public interface BatchListener {

    /** A listener that does nothing. */
    BatchListener NONE = new BatchListener() {
    };

    /**
     * One ONNX Runtime call (or one call per length group, for feeds of a format-1 model) ran.
     *
     * @param size           number of sessions stepped together
     * @param queueWaitNanos how long the oldest request of the batch waited in the queue
     * @param runNanos       how long the call took
     */
    default void onBatch(int size, long queueWaitNanos, long runNanos) {
    }

    /**
     * A request or a new session was refused because a limit was reached.
     *
     * @param reason which limit, e.g. {@code "queue full"} or {@code "too many sessions"}
     */
    default void onRejected(String reason) {
    }

    /**
     * A session was evicted (its state saved to the {@link EvictionStore}, if any, and dropped).
     *
     * @param reason why, e.g. {@code "idle for more than PT10M"}
     */
    default void onEvicted(String reason) {
    }
}
