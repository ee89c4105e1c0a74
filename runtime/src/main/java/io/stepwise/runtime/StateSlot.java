package io.stepwise.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Where one sequence keeps its {@link SessionState} between batched calls ({@link RecurrentModel#feedAll(StateSlot[],
 * int[][])}): a holder that a call advances in place. While nobody has seen the slot's current state — it was
 * produced by the model's own batched step and {@link #state()} has not been called since — the next call writes
 * the new state into the same arrays instead of allocating new ones, which saves the allocation, zeroing and cache
 * misses of 256 KB per call of 64 LSTM rows (hidden 256, 2 layers). Once {@link #state()} hands the state out it is never written again
 * (copy on write): every {@link SessionState} stays immutable for whoever holds it.
 *
 * <p>One owner steps a slot at a time; a second call that tries to step a slot while another call is stepping it is
 * refused ({@link IllegalStateException}). {@link #state()} and {@link #set} during such a call wait for it to end
 * (they then see its result, or the state it left when it failed). Idle, a slot costs 24 bytes beside its state.
 */
public final class StateSlot {
    /** The current state was handed out (or came from outside): never write its arrays. */
    private static final int SHARED = 1;
    /** A batched call is stepping the slot. */
    private static final int BUSY = 2;
    /** The rest of the flags count the changes of state, so that a reader notices one that came in between. */
    private static final int CHANGE = 4;
    private static final VarHandle FLAGS;

    static {
        try {
            FLAGS = MethodHandles.lookup().findVarHandle(StateSlot.class, "flags", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Written only by whoever set {@link #BUSY}. */
    private volatile SessionState state;
    /** {@link #SHARED}, {@link #BUSY} and the change count; compared and set through {@link #FLAGS}. */
    private volatile int flags;

    /** A slot holding {@code initial}, e.g. {@link RecurrentModel#initialState()}; it is never written. */
    public StateSlot(SessionState initial) {
        this.state = Objects.requireNonNull(initial, "initial");
        this.flags = SHARED;
    }

    /**
     * The current state, immutable from now on: a later call writes the slot's next state into new arrays. Waits
     * while a call is stepping the slot.
     */
    public SessionState state() {
        while (true) {
            int f = awaitIdle();
            SessionState s = state;
            if ((f & SHARED) != 0 ? flags == f : FLAGS.compareAndSet(this, f, f | SHARED)) {
                return s; // no call began in between (it would have changed the flags)
            }
        }
    }

    /** Replaces the state (a restore); {@code state} is never written. Waits while a call is stepping the slot. */
    public void set(SessionState state) {
        Objects.requireNonNull(state, "state");
        while (true) {
            int f = awaitIdle();
            if (FLAGS.compareAndSet(this, f, f | BUSY)) {
                this.state = state;
                flags = (f & ~(SHARED | BUSY)) + CHANGE | SHARED;
                return;
            }
        }
    }

    /** The current state's position, without handing the state out. */
    public long position() {
        return state.position(); // a state's position never changes, even while its arrays are written
    }

    private int awaitIdle() {
        int f;
        int spins = 0;
        while (((f = flags) & BUSY) != 0) {
            // A call takes about a millisecond; this is the rare case of a caller racing its own step.
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return f;
    }

    // ---------------------------------------------------------------- for the kernel

    /**
     * Takes the slot for one call: returns its state, and through {@code writable[i]} whether the call may write
     * the new state into that state's arrays. The call must end with {@link #advance} or {@link #abandon}.
     *
     * @throws IllegalStateException when another call is stepping the slot
     */
    SessionState claim(boolean[] writable, int i, String name) {
        while (true) {
            int f = flags;
            if ((f & BUSY) != 0) {
                throw new IllegalStateException(name + ": this slot is being stepped already (it is listed twice,"
                        + " or another call is stepping it); a slot is stepped by one call at a time");
            }
            if (FLAGS.compareAndSet(this, f, f | BUSY)) {
                writable[i] = (f & SHARED) == 0;
                return state;
            }
        }
    }

    /** Ends a call that produced {@code next}, a state nobody else has seen: the next call may write it in place. */
    void advance(SessionState next) {
        state = next;
        flags = (flags & ~(SHARED | BUSY)) + CHANGE;
    }

    /** Ends a call that failed before writing anything: the slot keeps its state, shared or not as it was. */
    void abandon() {
        flags = flags & ~BUSY;
    }

    /** The current state without handing it out (tests, toString). */
    SessionState peek() {
        return state;
    }

    @Override
    public String toString() {
        return "StateSlot[" + state + "]";
    }
}
