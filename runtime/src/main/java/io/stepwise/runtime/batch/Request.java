package io.stepwise.runtime.batch;

import java.util.concurrent.CompletableFuture;

/**
 * One queued step or feed of a {@link BatchedSession}: its input (token ids or feature rows), the future the caller
 * holds, and when it was queued. Confined to the scheduler's lock until it runs.
 */
final class Request {
    final BatchedSession session;
    /** Token ids (token models), else {@code null}. */
    final int[] tokens;
    /** Feature rows (feature models), else {@code null}. */
    final float[][] features;
    /** A step (one output row) rather than a feed (all rows). */
    final CompletableFuture<float[]> step;
    final CompletableFuture<float[][]> feed;
    final long queuedAt = System.nanoTime();
    /** Taken into a batch; no longer cancellable by close. Guarded by the scheduler's lock. */
    boolean running;

    private Request(BatchedSession session, int[] tokens, float[][] features, boolean single) {
        this.session = session;
        this.tokens = tokens;
        this.features = features;
        this.step = single ? new CompletableFuture<>() : null;
        this.feed = single ? null : new CompletableFuture<>();
    }

    static Request tokens(BatchedSession session, int[] tokens, boolean single) {
        return new Request(session, tokens, null, single);
    }

    static Request features(BatchedSession session, float[][] features, boolean single) {
        return new Request(session, null, features, single);
    }

    CompletableFuture<?> future() {
        return step != null ? step : feed;
    }

    /** Completes with the call's output rows for this request, which nobody else holds (no copy). */
    void complete(float[][] rows) {
        if (step != null) {
            step.complete(rows[rows.length - 1]);
        } else {
            feed.complete(rows);
        }
    }

    void fail(Throwable t) {
        future().completeExceptionally(t);
    }
}
