package io.stepwise.spring;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionState;
import java.util.function.Consumer;

/**
 * A session handed out by a {@link ServedModel}: delegates to the source's session, reports each step's latency to
 * the {@link StepwiseObserver}, and stays registered with its model until closed, so graceful shutdown can wait for
 * it and save its state.
 */
final class TrackedSession implements Session {
    private final ServedModel owner;
    private final Session delegate;
    private final Consumer<SessionState> onShutdown;
    private volatile boolean closed;

    TrackedSession(ServedModel owner, Session delegate, Consumer<SessionState> onShutdown) {
        this.owner = owner;
        this.delegate = delegate;
        this.onShutdown = onShutdown;
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public long position() {
        return delegate.position();
    }

    @Override
    public float[] step(int token) {
        long start = System.nanoTime();
        float[] out = delegate.step(token);
        owner.observer().onSteps(owner.name(), 1, System.nanoTime() - start);
        return out;
    }

    @Override
    public float[] step(float[] features) {
        long start = System.nanoTime();
        float[] out = delegate.step(features);
        owner.observer().onSteps(owner.name(), 1, System.nanoTime() - start);
        return out;
    }

    @Override
    public float[][] feed(int[] tokens) {
        long start = System.nanoTime();
        float[][] out = delegate.feed(tokens);
        if (tokens.length > 0) {
            owner.observer().onSteps(owner.name(), tokens.length, System.nanoTime() - start);
        }
        return out;
    }

    @Override
    public float[][] feed(float[][] steps) {
        long start = System.nanoTime();
        float[][] out = delegate.feed(steps);
        if (steps.length > 0) {
            owner.observer().onSteps(owner.name(), steps.length, System.nanoTime() - start);
        }
        return out;
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    @Override
    public SessionState snapshot() {
        return delegate.snapshot();
    }

    @Override
    public void restore(SessionState state) {
        delegate.restore(state);
    }

    @Override
    public boolean isClosed() {
        return closed || delegate.isClosed();
    }

    /** Called at shutdown for a session still open after the drain timeout: hand its state to the saver. */
    void saveForShutdown() {
        if (onShutdown != null && !isClosed()) {
            onShutdown.accept(delegate.snapshot());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                delegate.close();
            } finally {
                owner.released(this);
            }
        }
    }

    @Override
    public String toString() {
        return "TrackedSession[" + owner.name() + ", " + delegate + "]";
    }
}
