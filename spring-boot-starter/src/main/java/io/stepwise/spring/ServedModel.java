package io.stepwise.spring;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionSource;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.batch.BatchingModel;
import io.stepwise.runtime.batch.BatchingStats;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One model served by the application: the loaded {@link RecurrentModel}, the {@link SessionSource} its sessions
 * come from (a {@link BatchingModel} over it when {@code stepwise.batching.enabled}, the default; else the model
 * itself), and the bookkeeping a service needs — open sessions,
 * work in flight, draining at shutdown. The single place a service gets sessions of a model from, so that changing
 * how sessions are run (batching) changes nothing else.
 *
 * <p>Thread-safe. Owned by the {@link ModelRegistry}, which closes it.
 */
public final class ServedModel implements AutoCloseable {
    private final String name;
    private final RecurrentModel model;
    private final SessionSource source;
    private final BatchingModel batching;
    private final StepwiseObserver observer;
    private final Set<TrackedSession> open = ConcurrentHashMap.newKeySet();
    private final Object drained = new Object();
    private volatile boolean draining;
    private volatile boolean closed;

    /** {@code batching} null: sessions run directly on the model (and for models that cannot be stepped). */
    ServedModel(String name, RecurrentModel model, BatchingModel batching, StepwiseObserver observer) {
        this.name = Objects.requireNonNull(name, "name");
        this.model = Objects.requireNonNull(model, "model");
        this.batching = batching;
        this.source = batching == null ? model : batching;
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** The name it is served under. */
    public String name() {
        return name;
    }

    /** What the model is. */
    public ModelInfo info() {
        return model.info();
    }

    /** The loaded model, e.g. for whole-sequence work ({@code SequenceClassifier}, {@code forward}). */
    public RecurrentModel model() {
        return model;
    }

    /**
     * Where its sessions come from, for the task helpers ({@code TextGenerator}, {@code Forecaster}): every session
     * they open is tracked like {@link #openSession()}'s.
     */
    public SessionSource source() {
        return sessionsFrom(this::openSession);
    }

    /**
     * Like {@link #source()}, but its sessions run on the model itself, on the caller's thread, even when the model
     * is batched: for sequential work in which every step needs the output of the one before (text generation picks
     * each token from the previous step's logits). Such a chain cannot be batched with itself, so through the
     * batching front each step would only pay a hand-off to the scheduler thread and back — on a busy machine two
     * waits for a core per token. Its sessions are tracked like {@link #openSession()}'s.
     */
    public SessionSource directSource() {
        return sessionsFrom(() -> open(model, null));
    }

    private SessionSource sessionsFrom(java.util.function.Supplier<Session> sessions) {
        return new SessionSource() {
            @Override
            public ModelInfo info() {
                return model.info();
            }

            @Override
            public Session newSession() {
                return sessions.get();
            }
        };
    }

    /** Whether it can be stepped (bidirectional models only run whole sequences). */
    public boolean isSteppable() {
        return !model.info().bidirectional();
    }

    /**
     * A new session at the zero state. Close it when the request is done.
     *
     * @throws ModelUnavailableException     while shutting down
     * @throws UnsupportedOperationException when the model cannot be stepped
     */
    public Session openSession() {
        return openSession(null);
    }

    /**
     * A new session whose state is handed to {@code onShutdown} if it is still open when the application shuts
     * down after the drain timeout — for sessions that live across requests in memory.
     */
    public Session openSession(Consumer<SessionState> onShutdown) {
        return open(source, onShutdown);
    }

    private Session open(SessionSource from, Consumer<SessionState> onShutdown) {
        checkAvailable();
        TrackedSession s = new TrackedSession(this, from.newSession(), onShutdown);
        open.add(s);
        if (draining) {
            s.close();
            checkAvailable();
        }
        return s;
    }

    /**
     * Runs whole-sequence work (classification, {@code forward}) counted as in flight, so shutdown waits for it.
     *
     * @throws ModelUnavailableException while shutting down
     */
    public <T> T run(Supplier<T> work) {
        try (Session ignored = new TrackedSession(this, new NoSession(model.info()), null)) {
            checkAvailable();
            open.add((TrackedSession) ignored);
            return work.get();
        }
    }

    /** Sessions (and whole-sequence calls) in flight now. */
    public int openSessions() {
        return open.size();
    }

    /** Requests (a step or a feed) waiting for or in a batch; 0 when not batched (steps run on their caller). */
    public long queuedSteps() {
        return batching == null ? 0 : batching.stats().queuedSteps();
    }

    /** The batching front's counters, when its sessions are batched. */
    public Optional<BatchingStats> batchingStats() {
        return batching == null ? Optional.empty() : Optional.of(batching.stats());
    }

    /** Whether the batching front runs its sessions. */
    public boolean isBatched() {
        return batching != null;
    }

    /** Loaded and not closed. */
    public boolean isLoaded() {
        return !closed && !model.isClosed();
    }

    /** Whether it has stopped taking work (shutdown). */
    public boolean isDraining() {
        return draining;
    }

    /** Reports a refused request to the metrics. */
    public void recordRejected(String reason) {
        observer.onRejected(name, reason);
    }

    StepwiseObserver observer() {
        return observer;
    }

    void released(TrackedSession session) {
        if (open.remove(session) && draining && open.isEmpty()) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Stops taking work and waits up to {@code timeoutMillis} for sessions in flight; true when none is left. */
    boolean drain(long timeoutMillis) throws InterruptedException {
        draining = true;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (drained) {
            while (!open.isEmpty()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                drained.wait(Math.min(left, 50));
            }
        }
        return true;
    }

    /** Takes work again after {@link #drain} (a context stopped and started again); no effect once closed. */
    void resume() {
        if (!closed) {
            draining = false;
        }
    }

    /** Hands the state of every session still open to its saver (those opened with one). */
    List<Throwable> saveLiveSessions() {
        List<Throwable> failures = new java.util.ArrayList<>();
        for (TrackedSession s : List.copyOf(open)) {
            try {
                s.saveForShutdown();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        return failures;
    }

    private void checkAvailable() {
        if (draining || closed) {
            observer.onRejected(name, "shutting-down");
            throw new ModelUnavailableException("shutting-down", "model " + name + ": the service is shutting"
                    + " down and takes no new work");
        }
    }

    /** Closes the source and the model; sessions still open fail from now on. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            draining = true;
            try {
                if (batching != null) {
                    batching.close(); // steps not started fail; the call in flight completes
                }
            } finally {
                model.close();
            }
        }
    }

    @Override
    public String toString() {
        return "ServedModel[" + name + ", " + model + "]";
    }

    /** The placeholder tracked by {@link #run}: whole-sequence work has no session of its own. */
    private record NoSession(ModelInfo info) implements Session {
        @Override
        public long position() {
            return 0;
        }

        @Override
        public float[] step(int token) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] step(float[] features) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[][] feed(int[] tokens) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[][] feed(float[][] steps) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void reset() {
        }

        @Override
        public SessionState snapshot() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void restore(SessionState state) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
