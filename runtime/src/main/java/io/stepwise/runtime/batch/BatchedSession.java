package io.stepwise.runtime.batch;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StateSlot;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One sequence on a {@link BatchingModel}: the {@link Session} contract (state carried, feed equals stepping,
 * immutable snapshots, idempotent close), with its steps run in ONNX Runtime calls shared with other sessions.
 * Between steps it holds only its {@link SessionState} — no native memory — so idle sessions are cheap.
 *
 * <p><b>Asynchronous use.</b> {@link #stepAsync(int)} and friends queue a request and return at once; requests of
 * one session run in the order they were queued, each from the state the previous one left, so a caller may queue
 * several without waiting. The futures complete on the model's scheduler thread: chain quick work with
 * {@code thenApply}, hand slow or blocking work to your executor with the {@code *Async} variants, and never wait
 * for another step inside a callback. Cancelling a returned future does not withdraw its step.
 * {@link #step}, {@link #feed} and the state methods wait for the session's queued requests first.
 *
 * <p><b>Errors.</b> Bad input throws {@link IllegalArgumentException} (or {@link UnsupportedOperationException} for
 * the wrong kind) at once, before anything is queued; so does a full queue ({@link BatchingOverloadedException}), a
 * closed session ({@link IllegalStateException}) and an evicted one whose state cannot be reloaded
 * ({@link SessionEvictedException}). A future fails only when the engine fails ({@code StepwiseException}) or the
 * session or model is closed before its step runs ({@link IllegalStateException}).
 *
 * <p><b>Threads.</b> Like every session it is one sequence; calls from several threads must be ordered by the
 * caller. Concurrent calls are not refused: they simply queue in the order they arrive.
 */
public final class BatchedSession implements Session {
    private static final AtomicReferenceFieldUpdater<BatchedSession, CompletableFuture> LAST =
            AtomicReferenceFieldUpdater.newUpdater(BatchedSession.class, CompletableFuture.class, "last");

    private final BatchingModel owner;
    private final String id;
    private final ModelInfo info;
    /**
     * The state after the last completed request, in a slot that the scheduler's calls advance in place while no
     * snapshot has been taken of it; {@code null} while evicted.
     */
    private volatile StateSlot slot;
    /**
     * Requests waiting or running, oldest first; created at the first request and kept (56 bytes), so that a
     * session stepping steadily does not allocate one per step. Guarded by the scheduler's lock.
     */
    private ArrayDeque<Request> pending;
    /** The future of the newest queued request while it is not done, for the methods that wait. */
    @SuppressWarnings("unused")
    private volatile CompletableFuture<?> last;
    private volatile long lastUsedNanos;
    private volatile boolean closed;
    private volatile boolean modelClosed;
    /** Guarded by this. */
    private boolean evicted;
    private Instant evictedAt;
    private String evictionReason;

    BatchedSession(BatchingModel owner, String id, SessionState initial) {
        this.owner = owner;
        this.id = id;
        this.info = owner.info();
        this.slot = new StateSlot(initial);
        this.lastUsedNanos = System.nanoTime();
    }

    /**
     * This session's id: 128 random bits, URL-safe base64 (22 characters), unguessable, so a service may hand it to
     * its client; the key under which an {@link EvictionStore} keeps its state.
     */
    public String id() {
        return id;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** The model this session runs on. */
    public BatchingModel model() {
        return owner;
    }

    // ---------------------------------------------------------------- asynchronous

    /**
     * Queues one token.
     *
     * @return completes with the output for this step, as {@link #step(int)}
     * @throws IllegalArgumentException      when the id is outside [0, vocabulary size)
     * @throws UnsupportedOperationException when the model reads features
     * @throws BatchingOverloadedException   when the queue is full
     * @throws IllegalStateException         when the session is closed, or evicted and not reloadable
     *                                       ({@link SessionEvictedException})
     */
    public CompletableFuture<float[]> stepAsync(int token) {
        return stepRequest(token, false);
    }

    private CompletableFuture<float[]> stepRequest(int token, boolean blocking) {
        return submit(Request.tokens(this, SessionInputs.token(info, token), true), blocking).step;
    }

    /**
     * Queues one step of features, already scaled as the model expects.
     *
     * @return completes with the output for this step, as {@link #step(float[])}
     * @throws IllegalArgumentException when {@code features} is null, of another length than
     *                                  {@link ModelInfo#inputSize()}, or not finite
     * @see #stepAsync(int)
     */
    public CompletableFuture<float[]> stepAsync(float[] features) {
        return stepRequest(features, false);
    }

    private CompletableFuture<float[]> stepRequest(float[] features, boolean blocking) {
        return submit(Request.features(this, SessionInputs.step(info, features), true), blocking).step;
    }

    /**
     * Queues several tokens, run in one call (shared with other sessions).
     *
     * @return completes with the rows {@link #feed(int[])} returns; an empty array completes at once with no rows
     * @throws IllegalArgumentException naming the first id outside [0, vocabulary size) and its index
     * @see #stepAsync(int)
     */
    public CompletableFuture<float[][]> feedAsync(int[] tokens) {
        return feedRequest(tokens, false);
    }

    private CompletableFuture<float[][]> feedRequest(int[] tokens, boolean blocking) {
        int[] copy = SessionInputs.tokens(info, tokens);
        return copy.length == 0 ? noRows() : submit(Request.tokens(this, copy, false), blocking).feed;
    }

    /**
     * Queues several steps of features, run in one call.
     *
     * @return as {@link #feedAsync(int[])}
     * @throws IllegalArgumentException naming the first bad step
     */
    public CompletableFuture<float[][]> feedAsync(float[][] steps) {
        return feedRequest(steps, false);
    }

    private CompletableFuture<float[][]> feedRequest(float[][] steps, boolean blocking) {
        float[][] copy = SessionInputs.steps(info, steps);
        return copy.length == 0 ? noRows() : submit(Request.features(this, copy, false), blocking).feed;
    }

    /** An empty feed: no rows, nothing queued, but still refused by a closed session. */
    private CompletableFuture<float[][]> noRows() {
        checkUsable();
        return CompletableFuture.completedFuture(new float[0][]);
    }

    /**
     * @param blocking the caller waits for the result: it may run the call itself when nothing else is pending
     */
    private Request submit(Request r, boolean blocking) {
        boolean inline;
        synchronized (this) {
            ensureLoaded();
            inline = owner.scheduler().submit(r, blocking);
            last = r.future();
            lastUsedNanos = System.nanoTime();
        }
        if (inline) {
            owner.scheduler().runInline(r);
        }
        return r;
    }

    // ---------------------------------------------------------------- synchronous

    /** {@inheritDoc} Waits for this session's queued requests first. */
    @Override
    public long position() {
        awaitQueued();
        synchronized (this) {
            ensureLoaded();
            return slot.position();
        }
    }

    /**
     * {@inheritDoc} Waits for the result; when nothing else is pending and the last call carried one session, runs
     * the call on this thread (no hand-off), so a lone sequence is about as fast as on a {@code StepSession}.
     */
    @Override
    public float[] step(int token) {
        return await(stepRequest(token, true));
    }

    @Override
    public float[] step(float[] features) {
        return await(stepRequest(features, true));
    }

    @Override
    public float[][] feed(int[] tokens) {
        return await(feedRequest(tokens, true));
    }

    @Override
    public float[][] feed(float[][] steps) {
        return await(feedRequest(steps, true));
    }

    /** {@inheritDoc} Waits for this session's queued requests first. */
    @Override
    public void reset() {
        awaitQueued();
        synchronized (this) {
            ensureLoaded();
            slot.set(owner.model().initialState());
            lastUsedNanos = System.nanoTime();
        }
    }

    /**
     * {@inheritDoc} No copy is made: the state is immutable from here on (the next step writes into new arrays
     * rather than the ones the snapshot holds). Waits for queued requests first.
     */
    @Override
    public SessionState snapshot() {
        awaitQueued();
        synchronized (this) {
            ensureLoaded();
            lastUsedNanos = System.nanoTime();
            return slot.state();
        }
    }

    /** {@inheritDoc} Waits for this session's queued requests first. */
    @Override
    public void restore(SessionState restored) {
        Objects.requireNonNull(restored, "state");
        owner.checkState(restored, "state");
        awaitQueued();
        synchronized (this) {
            ensureLoaded();
            slot.set(restored);
            lastUsedNanos = System.nanoTime();
        }
    }

    private <T> T await(CompletableFuture<T> future) {
        if (owner.scheduler().isSchedulerThread() && !future.isDone()) {
            throw new IllegalStateException("BatchedSession: a blocking call on the batching scheduler's thread"
                    + " (inside a callback of a step's future) would wait for itself; use the *Async methods there,"
                    + " or move the work to another executor with thenApplyAsync");
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private void awaitQueued() {
        CompletableFuture<?> f = last;
        if (f == null || f.isDone()) {
            return;
        }
        if (owner.scheduler().isSchedulerThread()) {
            throw new IllegalStateException("BatchedSession: this session has queued steps, and waiting for them on"
                    + " the batching scheduler's thread (inside a callback) would wait for itself");
        }
        try {
            f.join();
        } catch (CompletionException | CancellationException e) {
            // reported to whoever holds that future; the state is whatever the completed steps left
        }
    }

    // ---------------------------------------------------------------- eviction and lifecycle

    /** Called under this session's monitor: reloads an evicted session's state, or explains why it cannot. */
    private void ensureLoaded() {
        checkUsable();
        if (!evicted) {
            return;
        }
        EvictionStore store = owner.evictionStore().orElseThrow(() -> new SessionEvictedException(id, evictedAt,
                evictionReason, "no EvictionStore is configured, so its state is gone"));
        Optional<byte[]> saved = store.load(id);
        if (saved.isEmpty()) {
            throw new SessionEvictedException(id, evictedAt, evictionReason,
                    "the EvictionStore holds no state for it any more");
        }
        SessionState loaded;
        try {
            loaded = SessionState.fromBytes(saved.get());
            owner.checkState(loaded, "the saved state");
        } catch (IllegalArgumentException e) {
            throw new SessionEvictedException(id, evictedAt, evictionReason,
                    "its saved state could not be used: " + e.getMessage());
        }
        owner.reopen(this);
        slot = new StateSlot(loaded);
        evicted = false;
        evictedAt = null;
        evictionReason = null;
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException(modelClosed ? "BatchedSession " + id + ": its BatchingModel was closed"
                    : "BatchedSession " + id + " is closed");
        }
    }

    /**
     * Evicts the session if it is still idle: saves its state to the store, if any, and drops it. Returns whether
     * it did. Called by the model's eviction sweep.
     */
    boolean evictIfIdle(long now, long idleNanos, String reason, EvictionStore store) {
        synchronized (this) {
            if (closed || evicted || now - lastUsedNanos < idleNanos || !owner.scheduler().isIdle(this)) {
                return false;
            }
            if (store != null) {
                store.save(id, slot.state().toBytes());
            }
            evicted = true;
            evictedAt = Instant.now();
            evictionReason = reason;
            slot = null;
            // Under this monitor, so that a reload (ensureLoaded, also under it) always comes after: unregistering
            // later could drop a session that was reloaded in between from the sweep, and it would never be
            // evicted again.
            owner.unregister(this);
            return true;
        }
    }

    /** Whether the session was evicted and not yet reloaded. */
    public synchronized boolean isEvicted() {
        return evicted;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the session: requests that have not started fail with {@link IllegalStateException}; one already
     * running completes. An evicted session's saved state is left in the store (the service owns its lifetime).
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (!evicted) {
                owner.unregister(this);
            }
        }
        owner.scheduler().cancelQueued(this, "BatchedSession " + id + " was closed before this step ran");
    }

    /** Called by the model's close(), after the scheduler has stopped. */
    void closeBecauseModelClosed() {
        synchronized (this) {
            if (!closed) {
                modelClosed = true;
                closed = true;
            }
        }
    }

    // ---------------------------------------------------------------- scheduler plumbing

    ArrayDeque<Request> pending(boolean create) {
        if (pending == null && create) {
            pending = new ArrayDeque<>(2);
        }
        return pending;
    }

    /** Where the scheduler's calls advance this session's state. */
    StateSlot slot() {
        return slot;
    }

    /** The request finished (its state stored): idle time counts from now; forget its future if it was the last. */
    void finished(Request r) {
        lastUsedNanos = System.nanoTime();
        LAST.compareAndSet(this, r.future(), null);
    }

    @Override
    public String toString() {
        StateSlot s = slot;
        return "BatchedSession[" + id + (s == null ? "" : ", position " + s.position())
                + (closed ? ", closed" : evicted ? ", evicted" : "") + "]";
    }
}
