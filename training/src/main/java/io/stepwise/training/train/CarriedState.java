package io.stepwise.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Objects;

/**
 * Recurrent state carried from one training batch to the next (truncated back-propagation through time): each
 * {@link #set} keeps the values but cuts the autograd graph, and keeps them alive in its own manager after the
 * batch's manager is closed.
 *
 * <pre>{@code
 * NDList state = carried.get();                     // null at the start of an epoch
 * NDList out = net.forward(store, state == null ? new NDList(x) : new NDList(x).addAll(state), true);
 * carried.set(out.subNDList(1));                    // detached copy for the next batch
 * }</pre>
 */
public final class CarriedState implements AutoCloseable {
    private final NDManager manager;
    private NDList state;
    private boolean closed;

    /** Creates an empty state whose arrays live in a sub-manager of {@code parent}. */
    public CarriedState(NDManager parent) {
        this.manager = Objects.requireNonNull(parent, "parent").newSubManager();
    }

    /** The carried state, or {@code null} when nothing is carried (start of an epoch, after {@link #reset}). */
    public NDList get() {
        checkClosed();
        return state;
    }

    /** Replaces the carried state with a detached copy of {@code newState}. */
    public void set(NDList newState) {
        checkClosed();
        Objects.requireNonNull(newState, "newState");
        NDList detached = new NDList(newState.size());
        for (NDArray a : newState) {
            NDArray d = a.stopGradient();
            d.attach(manager);
            detached.add(d);
        }
        release();
        state = detached;
    }

    /** Forgets the carried state; the next batch starts from zeros. */
    public void reset() {
        checkClosed();
        release();
    }

    private void release() {
        if (state != null) {
            state.close();
            state = null;
        }
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("CarriedState: already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            state = null;
            manager.close();
        }
    }
}
