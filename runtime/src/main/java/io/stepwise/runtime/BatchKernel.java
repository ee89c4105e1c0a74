package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stateless batched step of a {@link RecurrentModel}: gathers the state rows of many sequences into
 * {@code [L·D, B, H]}, runs one ONNX Runtime call, and scatters the new states and outputs back into fresh
 * {@link SessionState}s. {@link RecurrentModel#stepAll} and {@link RecurrentModel#feedAll} are its public face; the
 * batching front ({@code io.stepwise.runtime.batch}) and stream processors step through it, so there is one copy of
 * the gather/scatter code.
 *
 * <p>Sequences of different lengths share one call when the model takes {@code sequence_lens} (format 2); for
 * format-1 models they are run as one call per length. Feeds longer than {@link RunLimits#maxStepsPerRun()}
 * stream-steps run as chunks ({@link BatchChunkRunner}), so that a timeout stops them within one chunk. Inputs are
 * checked before anything runs, so one bad row fails the whole call with nothing changed; a call that fails later
 * returns nothing, so the caller's states stay as they were. The native side of a call — buffers, tensors, run options — comes
 * from a pool of {@link BatchWorkspace}s and is reused, so a call allocates on the Java side only the returned
 * states and outputs, and creates nothing native once its batch size has been seen.
 */
final class BatchKernel {
    /** Workspaces kept for reuse; more concurrent calls than this create and free their own. */
    private static final int MAX_IDLE_WORKSPACES = 16;
    private final RecurrentModel model;
    private final ModelInfo info;
    private final int inputWidth;
    private final boolean ints;
    private final SessionState zero;
    private final BatchChunkRunner runner;
    /** Idle workspaces, most recently used first (its buffers are likeliest still in cache). */
    private final ConcurrentLinkedDeque<BatchWorkspace> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    BatchKernel(RecurrentModel model) {
        this.model = model;
        this.info = model.info();
        this.inputWidth = info.isTokenInput() ? 1 : info.inputSize();
        this.ints = model.tokenType() == OnnxJavaType.INT32;
        int rows = info.stateRows();
        int hidden = info.hiddenSize();
        this.zero = new SessionState(info.fingerprint(), info.architectureFingerprint(), 0, rows, hidden,
                new float[rows * hidden], info.hasCellState() ? new float[rows * hidden] : null, info);
        this.runner = new BatchChunkRunner(model);
    }

    /** Zeros at position 0; one shared immutable instance. */
    SessionState initialState() {
        return zero;
    }

    SteppedStates stepAll(SessionState[] states, int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        int[][] rowsOf = new int[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            rowsOf[i] = new int[] {tokens[i]};
        }
        return feedAll(states, rowsOf, "tokens[%d]", null);
    }

    SteppedStates stepAll(SessionState[] states, float[][] features) {
        Objects.requireNonNull(features, "features");
        float[][][] rowsOf = new float[features.length][][];
        for (int i = 0; i < features.length; i++) {
            rowsOf[i] = new float[][] {features[i]};
        }
        return feedAll(states, rowsOf, "features[%d]", null);
    }

    SteppedStates feedAll(SessionState[] states, int[][] tokens) {
        return feedAll(states, tokens, "tokens[%d][%d]", null);
    }

    SteppedStates feedAll(SessionState[] states, float[][][] features) {
        return feedAll(states, features, "features[%d][%d]", null);
    }

    /** As {@link #feedAll(SessionState[], int[][])}, advancing the slots in place; returns the outputs, unshared. */
    float[][][] feedAll(StateSlot[] slots, int[][] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        return inSlots(slots, (states, writable) -> feedAll(states, tokens, "tokens[%d][%d]", writable));
    }

    float[][][] feedAll(StateSlot[] slots, float[][][] features) {
        Objects.requireNonNull(features, "features");
        return inSlots(slots, (states, writable) -> feedAll(states, features, "features[%d][%d]", writable));
    }

    /** Claims the slots, runs {@code call} on their states (with which rows it may write in place), advances them. */
    private static float[][][] inSlots(StateSlot[] slots,
                                       java.util.function.BiFunction<SessionState[], boolean[], SteppedStates> call) {
        boolean[] writable = new boolean[checkSlots(slots)];
        SessionState[] states = claim(slots, writable);
        return advance(slots, () -> call.apply(states, writable));
    }

    private static int checkSlots(StateSlot[] slots) {
        Objects.requireNonNull(slots, "slots");
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null) {
                throw new IllegalArgumentException("slots[" + i + "]: expected a state slot but got null");
            }
        }
        return slots.length;
    }

    /** Takes every slot for this call, or none: a slot already taken gives the others back. */
    private static SessionState[] claim(StateSlot[] slots, boolean[] writable) {
        SessionState[] states = new SessionState[slots.length];
        for (int i = 0; i < slots.length; i++) {
            try {
                states[i] = slots[i].claim(writable, i, "slots[" + i + "]");
            } catch (IllegalStateException e) {
                for (int k = 0; k < i; k++) {
                    slots[k].abandon();
                }
                throw e;
            }
        }
        return states;
    }

    /**
     * Runs the call and stores each new state in its slot. A call that fails leaves the slots' states as they were:
     * the runner writes in place only when the call is one run, and undoes its writes when a row's check fails.
     */
    private static float[][][] advance(StateSlot[] slots, java.util.function.Supplier<SteppedStates> call) {
        SteppedStates result;
        try {
            result = call.get();
        } catch (RuntimeException | Error e) {
            for (StateSlot slot : slots) {
                slot.abandon();
            }
            throw e;
        }
        for (int i = 0; i < slots.length; i++) {
            slots[i].advance(result.state(i));
        }
        return result.outputsArray();
    }

    private SteppedStates feedAll(SessionState[] states, int[][] tokens, String where, boolean[] writable) {
        Objects.requireNonNull(tokens, "tokens");
        InputChecks.requireInput(info, true);
        int[] lengths = checkRows(states, tokens.length, i -> tokens[i] == null ? -1 : tokens[i].length, "tokens");
        int vocabulary = info.inputSize();
        for (int i = 0; i < tokens.length; i++) {
            for (int t = 0; t < tokens[i].length; t++) {
                int id = tokens[i][t];
                if (id < 0 || (vocabulary > 0 && id >= vocabulary)) { // the name is built only for the message
                    InputChecks.checkToken(id, vocabulary, false, name(where, i, t));
                }
            }
        }
        return run(states, lengths, writable, (in, b, t, at) -> {
            if (ints) {
                ((IntBuffer) in).put(at, tokens[b][t]);
            } else {
                ((LongBuffer) in).put(at, tokens[b][t]);
            }
        });
    }

    private SteppedStates feedAll(SessionState[] states, float[][][] features, String where, boolean[] writable) {
        Objects.requireNonNull(features, "features");
        InputChecks.requireInput(info, false);
        int[] lengths = checkRows(states, features.length, i -> features[i] == null ? -1 : features[i].length,
                "features");
        for (int i = 0; i < features.length; i++) {
            for (int t = 0; t < features[i].length; t++) {
                if (!InputChecks.featuresOk(features[i][t], inputWidth)) { // the name is built only for the message
                    InputChecks.checkFeatures(features[i][t], inputWidth, name(where, i, t));
                }
            }
        }
        return run(states, lengths, writable,
                (in, b, t, at) -> ((FloatBuffer) in).put(at * inputWidth, features[b][t]));
    }

    private static String name(String pattern, int i, int t) {
        return pattern.indexOf("%d") == pattern.lastIndexOf("%d") ? String.format(pattern, i)
                : String.format(pattern, i, t);
    }

    private int[] checkRows(SessionState[] states, int n, java.util.function.IntUnaryOperator length, String name) {
        Objects.requireNonNull(states, "states");
        if (info.bidirectional()) {
            throw new UnsupportedOperationException(model.source() + ": this model is bidirectional: its backward"
                    + " direction reads each sequence from the end, so it cannot be stepped; run whole sequences with"
                    + " RecurrentModel.forward");
        }
        if (states.length != n) {
            throw new IllegalArgumentException(name + ": expected one row per state (" + states.length
                    + ") but got " + n);
        }
        if (n == 0) {
            throw new IllegalArgumentException("states: expected at least one sequence but got none");
        }
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            if (states[i] == null || !states[i].producedBy(info)) { // the name is built only when checked
                checkState(states[i], "states[" + i + "]");
            }
            lengths[i] = length.applyAsInt(i);
            if (lengths[i] < 1) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected at least one step but got "
                        + (lengths[i] < 0 ? "null" : "none"));
            }
        }
        return lengths;
    }

    /** The checks {@link Session#restore} makes, for a state handed to the kernel. */
    void checkState(SessionState state, String name) {
        if (state == null) {
            throw new IllegalArgumentException(name + ": expected a session state but got null");
        }
        if (state.producedBy(info)) {
            return;
        }
        try {
            // The fingerprint (architecture and weights), shape and plausible values, as StepSession.restore.
            state.checkFits(info);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage().replaceFirst("^state: ", ""), e);
        }
    }

    // ---------------------------------------------------------------- the call

    /**
     * @param writable per row, whether the new state may be written into the old state's arrays (a slot nobody else
     *                 has seen), or null; honoured only when the call is one ONNX Runtime run, so that a failure
     *                 between runs cannot leave a row half advanced
     */
    private SteppedStates run(SessionState[] states, int[] lengths, boolean[] writable,
                              BatchChunkRunner.InputWriter writer) {
        int n = states.length;
        float[][][] outputs = new float[n][][];
        SessionState[] next = new SessionState[n];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            if (states[i].position() > SessionState.MAX_POSITION - lengths[i]) {
                throw new IllegalArgumentException("states[" + i + "]: position " + states[i].position() + " + "
                        + lengths[i] + " steps would pass the largest position 2^53 (SessionState.MAX_POSITION)");
            }
            longest = Math.max(longest, lengths[i]);
        }
        RunLimits limits = model.runLimits();
        // As StepSession: one recurrent step of a vetted graph is not timed; a feed is.
        Duration timeout = longest == 1 ? Duration.ZERO : limits.callTimeout();
        model.readLock().lock();
        BatchWorkspace ws = null;
        boolean reusable = true;
        try {
            model.checkClosed();
            ws = borrow();
            RunControl control = ws.control;
            var timer = control.begin(timeout);
            try {
                List<int[]> groups = groups(lengths);
                for (int[] group : groups) {
                    runner.run(ws, states, lengths, group, writer, outputs, next, limits, timeout,
                            groups.size() == 1 ? writable : null);
                }
            } finally {
                // A timeout that fired (or is firing) could still set the terminate flag of these run options
                // after the next call, of another caller, has begun on them: such a workspace is not reused.
                reusable = control.end(timer);
            }
        } catch (OrtException e) {
            throw new StepwiseException(model.source() + ": ONNX Runtime failed to run a batched step of " + n
                    + " sequences: " + e.getMessage(), e);
        } finally {
            if (ws != null && reusable) {
                giveBack(ws);
            } else if (ws != null) {
                ws.close();
            }
            model.readLock().unlock();
        }
        return new SteppedStates(outputs, next);
    }

    /** A workspace from the pool, or a new one. Called under the model's read lock, after checkClosed. */
    private BatchWorkspace borrow() throws OrtException {
        BatchWorkspace ws = idle.pollFirst();
        if (ws != null) {
            idleCount.decrementAndGet();
            return ws;
        }
        return new BatchWorkspace(model);
    }

    /** Returns a workspace to the pool (most recently used first), or frees it when the pool is full. */
    private void giveBack(BatchWorkspace ws) {
        if (idleCount.incrementAndGet() <= MAX_IDLE_WORKSPACES) {
            idle.addFirst(ws);
        } else {
            idleCount.decrementAndGet();
            ws.close();
        }
    }

    /** Frees the pooled workspaces; called by the model's close under its write lock, so no call is in flight. */
    void close() {
        BatchWorkspace ws;
        while ((ws = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            ws.close();
        }
    }

    /** Row indices that share a call: all rows when the model takes sequence lengths, else one group per length. */
    private List<int[]> groups(int[] lengths) {
        int first = lengths[0];
        boolean same = true;
        for (int l : lengths) {
            same &= l == first;
        }
        if (same || model.takesSequenceLengths()) {
            int[] all = new int[lengths.length];
            Arrays.setAll(all, i -> i);
            return List.of(all);
        }
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int i = 0; i < lengths.length; i++) {
            byLength.computeIfAbsent(lengths[i], k -> new ArrayList<>()).add(i);
        }
        List<int[]> groups = new ArrayList<>(byLength.size());
        for (List<Integer> g : byLength.values()) {
            groups.add(g.stream().mapToInt(Integer::intValue).toArray());
        }
        return groups;
    }
}
