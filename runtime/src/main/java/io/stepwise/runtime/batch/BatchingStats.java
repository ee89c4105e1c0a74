package io.stepwise.runtime.batch;

/**
 * A snapshot of a {@link BatchingModel}'s counters.
 *
 * @param openSessions     sessions handed out and neither closed nor evicted
 * @param queuedSteps      requests (a step, or a feed) waiting or running
 * @param evictedSessions  sessions evicted since the model was built
 * @param rejectedRequests requests and new sessions refused with {@link BatchingOverloadedException}
 * @param calls            ONNX Runtime calls made
 * @param steps            requests completed by those calls
 */
public record BatchingStats(int openSessions, int queuedSteps, long evictedSessions, long rejectedRequests,
                            long calls, long steps) {

    /** Average number of requests per call, 0 before the first call. */
    public double meanBatchSize() {
        return calls == 0 ? 0 : (double) steps / calls;
    }
}
