package io.stepwise.runtime.batch;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionSource;
import io.stepwise.runtime.SessionState;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A batching front over one loaded {@link RecurrentModel}: hands out {@link BatchedSession}s, which have the
 * {@link io.stepwise.runtime.Session} contract, and steps the pending steps of many sessions together in one ONNX
 * Runtime call. One batch-1 step re-reads every weight for one row of work; a batch of 64 reads them once for 64,
 * so a service carrying many sequences gets several times more steps per CPU-second.
 *
 * <pre>{@code
 * try (RecurrentModel model = RecurrentModel.load(Path.of("models/charlm-lstm.onnx"));
 *      BatchingModel batching = BatchingModel.builder().setModel(model).build()) {
 *     TextGenerator generator = new TextGenerator(batching);   // any SessionSource
 *     // ... or, per request: BatchedSession s = batching.newSession(); s.stepAsync(token).thenAccept(...)
 * }
 * }</pre>
 *
 * <p><b>Scheduling.</b> One scheduler thread takes the sessions with pending work in arrival order (each at most
 * once per call, so none starves), up to {@code maxBatchSize} per call. With nothing else pending it runs at once; when
 * the last call carried more sessions, it waits at most {@code maxDelay} for them to come back. Feeds (prefill) of
 * different lengths share a call when the model takes sequence lengths (format 2), else one call per length.
 *
 * <p><b>Limits.</b> {@code maxSessions} open sessions ({@link #newSession()} then throws
 * {@link BatchingOverloadedException}); {@code maxQueuedSteps} queued requests (a step or a feed each; the next one
 * throws {@link BatchingOverloadedException}); sessions idle longer than {@code idleTimeout} are evicted: their
 * state is saved to the {@link EvictionStore}, if one is set, and reloaded when the session is next used;
 * without a store, using an evicted session throws {@link SessionEvictedException}.
 *
 * <p><b>Defaults</b> (chosen from {@code make bench-batching}; see BENCHMARKS.md): batch size
 * {@value #DEFAULT_MAX_BATCH_SIZE}, delay {@value #DEFAULT_MAX_DELAY_MICROS} µs, {@value #DEFAULT_MAX_SESSIONS}
 * sessions, idle timeout {@value #DEFAULT_IDLE_TIMEOUT_MINUTES} minutes, {@value #DEFAULT_MAX_QUEUED_STEPS} queued
 * steps.
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops the scheduler: steps that have not started fail with
 * {@link IllegalStateException}, the call in flight completes, and every session is closed. It does <em>not</em>
 * close the {@link RecurrentModel}, which the caller owns (and may share with other fronts or sessions); close the
 * model after this.
 */
public final class BatchingModel implements SessionSource, AutoCloseable {
    /** Default {@code maxBatchSize}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 64;
    /** Default {@code maxDelay}, in microseconds. */
    public static final int DEFAULT_MAX_DELAY_MICROS = 1000;
    /** Default {@code maxSessions}. */
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    /** Default {@code idleTimeout}, in minutes. */
    public static final int DEFAULT_IDLE_TIMEOUT_MINUTES = 30;
    /** Default {@code maxQueuedSteps}. */
    public static final int DEFAULT_MAX_QUEUED_STEPS = 10_000;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final RecurrentModel model;
    private final ModelInfo info;
    private final int maxBatchSize;
    private final Duration maxDelay;
    private final int maxSessions;
    private final Duration idleTimeout;
    private final int maxQueuedSteps;
    private final EvictionStore store;
    private final BatchListener listener;
    private final BatchScheduler scheduler;
    private final ScheduledExecutorService evictor;
    private final Set<BatchedSession> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openCount = new AtomicInteger();
    private final AtomicLong evicted = new AtomicLong();
    private final SecureRandom ids = new SecureRandom();
    private volatile boolean closed;

    private BatchingModel(Builder b) {
        this.model = b.model;
        this.info = model.info();
        this.maxBatchSize = b.maxBatchSize;
        this.maxDelay = b.maxDelay;
        this.maxSessions = b.maxSessions;
        this.idleTimeout = b.idleTimeout;
        this.maxQueuedSteps = b.maxQueuedSteps;
        this.store = b.store;
        this.listener = b.listener;
        int n = INSTANCES.incrementAndGet();
        this.scheduler = new BatchScheduler(model, maxBatchSize, maxDelay.toNanos(), maxQueuedSteps, listener,
                "stepwise-batching-" + n);
        this.evictor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stepwise-batching-" + n + "-evictor");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(1000, idleTimeout.toMillis() / 4));
        evictor.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        scheduler.start();
    }

    /** A builder; {@link Builder#setModel} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** The model stepped (not owned: {@link #close()} leaves it open). */
    public RecurrentModel model() {
        return model;
    }

    /**
     * A new session at the zero state, position 0, with a fresh unguessable {@link BatchedSession#id()}. Close it
     * when the sequence ends.
     *
     * @throws BatchingOverloadedException when {@code maxSessions} sessions are open
     * @throws IllegalStateException       when this front or its model is closed
     */
    @Override
    public BatchedSession newSession() {
        checkOpen();
        reserveSlot();
        byte[] raw = new byte[16];
        ids.nextBytes(raw);
        BatchedSession s = new BatchedSession(this, Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
                model.initialState());
        open.add(s);
        if (closed) {
            s.closeBecauseModelClosed();
            unregister(s);
            checkOpen();
        }
        return s;
    }

    /** The counters now. */
    public BatchingStats stats() {
        return new BatchingStats(openCount.get(), scheduler.queued(), evicted.get(), scheduler.rejected.get(),
                scheduler.calls.get(), scheduler.steps.get());
    }

    /** The maximum number of sessions stepped in one call. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** How long the scheduler waits for more work when the last call carried more sessions than are pending. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** The maximum number of open sessions. */
    public int maxSessions() {
        return maxSessions;
    }

    /** How long a session may stay unused before it is evicted. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The maximum number of queued requests. */
    public int maxQueuedSteps() {
        return maxQueuedSteps;
    }

    /** Where evicted sessions' states go, if anywhere. */
    public Optional<EvictionStore> evictionStore() {
        return Optional.ofNullable(store);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the scheduler and the eviction sweep: queued steps that have not started fail with
     * {@link IllegalStateException}, the call in flight completes, and every open session is closed. Does not close
     * the {@link RecurrentModel}. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        evictor.shutdownNow();
        scheduler.shutdown(60_000);
        for (BatchedSession s : open) {
            s.closeBecauseModelClosed();
        }
        open.clear();
        openCount.set(0);
        try {
            evictor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "BatchingModel[" + model + ", batch " + maxBatchSize + ", delay " + maxDelay + ", "
                + openCount.get() + " open" + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- package plumbing

    BatchScheduler scheduler() {
        return scheduler;
    }

    /** The checks {@link io.stepwise.runtime.Session#restore} makes. */
    void checkState(SessionState state, String name) {
        if (!state.fingerprint().equals(info.fingerprint())) {
            throw new IllegalArgumentException(name + ": it belongs to a model with fingerprint " + state.fingerprint()
                    + " but this session's model has fingerprint " + info.fingerprint()
                    + " (a different architecture or vocabulary)");
        }
        if (state.rows() != info.stateRows() || state.hiddenSize() != info.hiddenSize()
                || state.hasCellState() != info.hasCellState()) {
            throw new IllegalArgumentException(name + ": shape " + state.rows() + "×" + state.hiddenSize()
                    + (state.hasCellState() ? " (h, c)" : " (h)") + " does not fit this model's "
                    + info.stateRows() + "×" + info.hiddenSize() + (info.hasCellState() ? " (h, c)" : " (h)"));
        }
    }

    /** An evicted session comes back: it needs a slot again. */
    void reopen(BatchedSession s) {
        checkOpen();
        reserveSlot();
        open.add(s);
    }

    void unregister(BatchedSession s) {
        if (open.remove(s)) {
            openCount.decrementAndGet();
        }
    }

    private void reserveSlot() {
        while (true) {
            int n = openCount.get();
            if (n >= maxSessions) {
                scheduler.rejected.incrementAndGet();
                notify(listener, l -> l.onRejected("too many sessions"));
                throw new BatchingOverloadedException(BatchingOverloadedException.Limit.SESSIONS, maxSessions,
                        "BatchingModel: too many sessions: " + n + " are open (maxSessions " + maxSessions
                                + "); close finished sessions, lower optIdleTimeout so idle ones are evicted sooner,"
                                + " or raise optMaxSessions");
            }
            if (openCount.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("BatchingModel is closed");
        }
        if (model.isClosed()) {
            throw new IllegalStateException("BatchingModel: its RecurrentModel (" + model.source() + ") is closed");
        }
    }

    /** The eviction sweep: every open session idle longer than the timeout. */
    private void sweep() {
        long now = System.nanoTime();
        long idle = idleTimeout.toNanos();
        String reason = "idle for more than " + idleTimeout;
        for (BatchedSession s : open) {
            if (closed) {
                return;
            }
            try {
                if (s.evictIfIdle(now, idle, reason, store)) {
                    evicted.incrementAndGet();
                    notify(listener, l -> l.onEvicted(reason));
                }
            } catch (RuntimeException e) {
                // the store failed to save: the session stays open and is tried again at the next sweep
            }
        }
    }

    static void notify(BatchListener listener, Consumer<BatchListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            // a listener must not stop the scheduler or fail a request
        }
    }

    // ---------------------------------------------------------------- builder

    /** Builds a {@link BatchingModel}: {@code set*} required, {@code opt*} optional, validated in {@link #build()}. */
    public static final class Builder {
        private RecurrentModel model;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private Duration maxDelay = Duration.ofNanos(DEFAULT_MAX_DELAY_MICROS * 1000L);
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private Duration idleTimeout = Duration.ofMinutes(DEFAULT_IDLE_TIMEOUT_MINUTES);
        private int maxQueuedSteps = DEFAULT_MAX_QUEUED_STEPS;
        private EvictionStore store;
        private BatchListener listener = BatchListener.NONE;

        private Builder() {
        }

        /** The model to step (required). It stays the caller's: closing the front does not close it. */
        public Builder setModel(RecurrentModel model) {
            this.model = model;
            return this;
        }

        /** Most sessions stepped in one call, ≥ 1 (default {@value #DEFAULT_MAX_BATCH_SIZE}). */
        public Builder optMaxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /**
         * Longest wait for more work before a call, 0 … 1 s (default {@value #DEFAULT_MAX_DELAY_MICROS} µs). Only
         * spent when the previous call carried more sessions than are pending; a lone sequence never waits.
         */
        public Builder optMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        /** Most open sessions, ≥ 1 (default {@value #DEFAULT_MAX_SESSIONS}); evicted sessions do not count. */
        public Builder optMaxSessions(int maxSessions) {
            this.maxSessions = maxSessions;
            return this;
        }

        /** How long a session may go unused before it is evicted, &gt; 0 (default 30 minutes). */
        public Builder optIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Most requests waiting or running, ≥ 1 (default {@value #DEFAULT_MAX_QUEUED_STEPS}). */
        public Builder optMaxQueuedSteps(int maxQueuedSteps) {
            this.maxQueuedSteps = maxQueuedSteps;
            return this;
        }

        /** Where evicted sessions' states are saved and reloaded from (default: none, their state is dropped). */
        public Builder optEvictionStore(EvictionStore store) {
            this.store = store;
            return this;
        }

        /** Observer of batches, rejections and evictions (default: none). */
        public Builder optListener(BatchListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Starts the scheduler.
         *
         * @throws IllegalArgumentException      for a missing model or a value out of range (naming it)
         * @throws UnsupportedOperationException when the model is bidirectional (it cannot be stepped)
         * @throws IllegalStateException         when the model is closed
         */
        public BatchingModel build() {
            if (model == null) {
                throw new IllegalArgumentException("model: required; call setModel(RecurrentModel)");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize: expected ≥ 1 but got " + maxBatchSize);
            }
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (maxDelay.isNegative() || maxDelay.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("maxDelay: expected 0 … 1 s but got " + maxDelay);
            }
            if (maxSessions < 1) {
                throw new IllegalArgumentException("maxSessions: expected ≥ 1 but got " + maxSessions);
            }
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout: expected > 0 but got " + idleTimeout);
            }
            if (maxQueuedSteps < 1) {
                throw new IllegalArgumentException("maxQueuedSteps: expected ≥ 1 but got " + maxQueuedSteps);
            }
            Objects.requireNonNull(listener, "listener");
            if (model.info().bidirectional()) {
                throw new UnsupportedOperationException(model.source() + ": this model is bidirectional, so it cannot"
                        + " be stepped or batched; run whole sequences with RecurrentModel.forward");
            }
            if (model.isClosed()) {
                throw new IllegalStateException("BatchingModel: the RecurrentModel (" + model.source()
                        + ") is closed");
            }
            return new BatchingModel(this);
        }
    }
}
