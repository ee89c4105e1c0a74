package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
import java.util.Set;
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
 * format-1 models they are run as one call per length. Inputs are checked before anything runs, so one bad row
 * fails the whole call with nothing changed. The native side of a call — buffers, tensors, run options — comes
 * from a pool of {@link BatchWorkspace}s and is reused, so a call allocates on the Java side only the returned
 * states and outputs, and creates nothing native once its batch size has been seen.
 */
final class BatchKernel {
    /** Workspaces kept for reuse; more concurrent calls than this create and free their own. */
    private static final int MAX_IDLE_WORKSPACES = 16;
    private final RecurrentModel model;
    private final ModelInfo info;
    private final int rows;
    private final int hidden;
    private final int stateSize;
    private final int outputSize;
    private final int inputWidth;
    private final boolean ints;
    private final SessionState zero;
    /** Idle workspaces, most recently used first (its buffers are likeliest still in cache). */
    private final ConcurrentLinkedDeque<BatchWorkspace> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    BatchKernel(RecurrentModel model) {
        this.model = model;
        this.info = model.info();
        this.rows = info.stateRows();
        this.hidden = info.hiddenSize();
        this.stateSize = rows * hidden;
        this.outputSize = info.outputSize();
        this.inputWidth = info.isTokenInput() ? 1 : info.inputSize();
        this.ints = model.tokenType() == OnnxJavaType.INT32;
        this.zero = new SessionState(info.fingerprint(), info.architectureFingerprint(), 0, rows, hidden,
                new float[stateSize],
                info.hasCellState() ? new float[stateSize] : null, info);
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
        return feedAll(states, rowsOf, "tokens[%d]");
    }

    SteppedStates stepAll(SessionState[] states, float[][] features) {
        Objects.requireNonNull(features, "features");
        float[][][] rowsOf = new float[features.length][][];
        for (int i = 0; i < features.length; i++) {
            rowsOf[i] = new float[][] {features[i]};
        }
        return feedAll(states, rowsOf, "features[%d]");
    }

    SteppedStates feedAll(SessionState[] states, int[][] tokens) {
        return feedAll(states, tokens, "tokens[%d][%d]");
    }

    SteppedStates feedAll(SessionState[] states, float[][][] features) {
        return feedAll(states, features, "features[%d][%d]");
    }

    private SteppedStates feedAll(SessionState[] states, int[][] tokens, String where) {
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
        return run(states, lengths, (in, b, t, at) -> {
            if (ints) {
                ((IntBuffer) in).put(at, tokens[b][t]);
            } else {
                ((LongBuffer) in).put(at, tokens[b][t]);
            }
        });
    }

    private SteppedStates feedAll(SessionState[] states, float[][][] features, String where) {
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
        return run(states, lengths, (in, b, t, at) -> ((FloatBuffer) in).put(at * inputWidth, features[b][t]));
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

    // ---------------------------------------------------------------- one call per group

    @FunctionalInterface
    private interface InputWriter {
        /** Writes row {@code b}'s step {@code t} at element {@code at} (times the feature width) of the input. */
        void write(java.nio.Buffer input, int b, int t, int at);
    }

    private SteppedStates run(SessionState[] states, int[] lengths, InputWriter writer) {
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
                for (int[] group : groups(lengths)) {
                    control.checkStopped(model.source(), timeout, null);
                    try {
                        runGroup(ws, states, lengths, group, writer, outputs, next, limits);
                    } catch (OrtException e) {
                        control.checkStopped(model.source(), timeout, e);
                        throw e;
                    }
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

    private void runGroup(BatchWorkspace ws, SessionState[] states, int[] lengths, int[] group, InputWriter writer,
                          float[][][] outputs, SessionState[] next, RunLimits limits) throws OrtException {
        int batch = group.length;
        int steps = 0;
        for (int i : group) {
            steps = Math.max(steps, lengths[i]);
        }
        boolean batchFirst = model.batchFirst();
        boolean perStep = info.isPerStep();
        BatchWorkspace.Binding bound = ws.binding(batch, steps);
        try {
            // Gather.
            if (steps > 1) {
                bound.clearInput(); // padding of shorter rows
            }
            FloatBuffer h0 = bound.h0;
            FloatBuffer c0 = bound.c0;
            for (int b = 0; b < batch; b++) {
                int i = group[b];
                for (int t = 0; t < lengths[i]; t++) {
                    writer.write(bound.input, i, t, batchFirst ? b * steps + t : t * batch + b);
                }
                float[] h = states[i].hiddenArray();
                float[] c = states[i].cellArray();
                for (int r = 0; r < rows; r++) {
                    h0.put((r * batch + b) * hidden, h, r * hidden, hidden);
                    if (c0 != null) {
                        c0.put((r * batch + b) * hidden, c, r * hidden, hidden);
                    }
                }
                if (bound.lengths != null) {
                    bound.lengths.put(b, lengths[i]);
                }
            }
            try (OrtSession.Result ignored = model.ortSession().run(bound.feeds, Set.of(), bound.pinned,
                    ws.control.options())) {
                // outputs were written into the pinned buffers
            }
            scatter(bound, states, lengths, group, outputs, next, limits, batchFirst, perStep);
        } finally {
            bound.release();
        }
    }

    private void scatter(BatchWorkspace.Binding bound, SessionState[] states, int[] lengths, int[] group,
                         float[][][] outputs, SessionState[] next, RunLimits limits, boolean batchFirst,
                         boolean perStep) {
        int batch = bound.batch;
        int steps = bound.steps;
        FloatBuffer hn = bound.hn;
        FloatBuffer cn = bound.cn;
        FloatBuffer out = bound.out;
        boolean checked = limits.rejectNonFinite();
        for (int b = 0; b < batch; b++) {
            int i = group[b];
            int length = lengths[i];
            float[] h = new float[stateSize];
            float[] c = cn == null ? null : new float[stateSize];
            for (int r = 0; r < rows; r++) {
                hn.get((r * batch + b) * hidden, h, r * hidden, hidden);
                if (c != null) {
                    cn.get((r * batch + b) * hidden, c, r * hidden, hidden);
                }
            }
            if (checked) {
                requireFinite(h, i, "state");
                if (c != null) {
                    requireFinite(c, i, "cell state");
                }
            }
            // A state this model just produced, checked finite, needs no check when it is stepped next.
            next[i] = new SessionState(states[i].fingerprint(), states[i].architectureFingerprint(),
                    states[i].position() + length, rows, hidden, h, c, checked ? info : null);
            float[][] rowsOut;
            if (perStep) {
                rowsOut = new float[length][outputSize];
                for (int t = 0; t < length; t++) {
                    out.get((batchFirst ? b * steps + t : t * batch + b) * outputSize, rowsOut[t], 0, outputSize);
                }
            } else {
                rowsOut = new float[1][outputSize];
                out.get(b * outputSize, rowsOut[0], 0, outputSize);
            }
            if (checked) {
                for (float[] row : rowsOut) {
                    requireFinite(row, i, "output");
                }
            }
            outputs[i] = rowsOut;
        }
    }

    /** Refuses a NaN or infinite value of row {@code i} (RunLimits.rejectNonFinite); nothing is kept. */
    private void requireFinite(float[] values, int i, String what) {
        if (StateChecks.allFinite(values)) {
            return;
        }
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new NonFiniteOutputException(model.source() + ": sequence " + i + " produced " + values[k]
                        + " in its " + what + " (index " + k + "); the model's weights overflow on this input or are"
                        + " corrupt (RunLimits.rejectNonFinite)", 0);
            }
        }
    }
}
