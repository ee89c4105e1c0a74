package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The stateless batched step of a {@link RecurrentModel}: gathers the state rows of many sequences into
 * {@code [L·D, B, H]}, runs one ONNX Runtime call, and scatters the new states and outputs back into fresh
 * {@link SessionState}s. {@link RecurrentModel#stepAll} and {@link RecurrentModel#feedAll} are its public face; the
 * batching front ({@code io.stepwise.runtime.batch}) and stream processors step through it, so there is one copy of
 * the gather/scatter code.
 *
 * <p>Sequences of different lengths share one call when the model takes {@code sequence_lens} (format 2); for
 * format-1 models they are run as one call per length. Inputs are checked before anything runs, so one bad row
 * fails the whole call with nothing changed. The native buffers are per calling thread and reused, so a call
 * allocates on the Java side only the returned states and outputs.
 */
final class BatchKernel {
    private final RecurrentModel model;
    private final ModelInfo info;
    private final int rows;
    private final int hidden;
    private final int stateSize;
    private final int outputSize;
    private final int inputWidth;
    private final boolean ints;
    private final SessionState zero;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    BatchKernel(RecurrentModel model) {
        this.model = model;
        this.info = model.info();
        this.rows = info.stateRows();
        this.hidden = info.hiddenSize();
        this.stateSize = rows * hidden;
        this.outputSize = info.outputSize();
        this.inputWidth = info.isTokenInput() ? 1 : info.inputSize();
        this.ints = model.tokenType() == OnnxJavaType.INT32;
        this.zero = new SessionState(info.fingerprint(), 0, rows, hidden, new float[stateSize],
                info.hasCellState() ? new float[stateSize] : null);
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
                InputChecks.checkToken(tokens[i][t], vocabulary, false, name(where, i, t));
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
                InputChecks.checkFeatures(features[i][t], inputWidth, name(where, i, t));
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
            checkState(states[i], "states[" + i + "]");
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
        if (!state.fingerprint().equals(info.fingerprint())) {
            throw new IllegalArgumentException(name + ": it belongs to a model with fingerprint " + state.fingerprint()
                    + " but this model has fingerprint " + info.fingerprint()
                    + " (a different architecture or vocabulary)");
        }
        if (state.rows() != rows || state.hiddenSize() != hidden || state.hasCellState() != info.hasCellState()) {
            throw new IllegalArgumentException(name + ": shape " + state.rows() + "×" + state.hiddenSize()
                    + (state.hasCellState() ? " (h, c)" : " (h)") + " does not fit this model's " + rows + "×"
                    + hidden + (info.hasCellState() ? " (h, c)" : " (h)"));
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
        model.readLock().lock();
        try {
            model.checkClosed();
            for (int[] group : groups(lengths)) {
                runGroup(states, lengths, group, writer, outputs, next);
            }
        } catch (OrtException e) {
            throw new StepwiseException(model.source() + ": ONNX Runtime failed to run a batched step of " + n
                    + " sequences: " + e.getMessage(), e);
        } finally {
            model.readLock().unlock();
        }
        return new SteppedStates(outputs, next);
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

    private void runGroup(SessionState[] states, int[] lengths, int[] group, InputWriter writer,
                          float[][][] outputs, SessionState[] next) throws OrtException {
        int batch = group.length;
        int steps = 0;
        for (int i : group) {
            steps = Math.max(steps, lengths[i]);
        }
        boolean batchFirst = model.batchFirst();
        boolean perStep = info.isPerStep();
        Scratch s = scratch.get();
        OrtEnvironment env = model.environment();

        // Gather.
        java.nio.Buffer input = info.isTokenInput() ? (ints ? s.ints(0, batch * steps) : s.longs(0, batch * steps))
                : s.floats(0, batch * steps * inputWidth);
        if (steps > 1) {
            clear(input); // padding of shorter rows
        }
        FloatBuffer h0 = s.floats(1, rows * batch * hidden);
        FloatBuffer c0 = info.hasCellState() ? s.floats(2, rows * batch * hidden) : null;
        for (int b = 0; b < batch; b++) {
            int i = group[b];
            for (int t = 0; t < lengths[i]; t++) {
                writer.write(input, i, t, batchFirst ? b * steps + t : t * batch + b);
            }
            float[] h = states[i].hiddenArray();
            float[] c = states[i].cellArray();
            for (int r = 0; r < rows; r++) {
                h0.put((r * batch + b) * hidden, h, r * hidden, hidden);
                if (c0 != null) {
                    c0.put((r * batch + b) * hidden, c, r * hidden, hidden);
                }
            }
        }
        FloatBuffer hn = s.floats(3, rows * batch * hidden);
        FloatBuffer cn = info.hasCellState() ? s.floats(4, rows * batch * hidden) : null;
        FloatBuffer out = s.floats(5, perStep ? batch * steps * outputSize : batch * outputSize);

        long[] stateShape = {rows, batch, hidden};
        long[] inputShape = info.isTokenInput()
                ? (batchFirst ? new long[] {batch, steps} : new long[] {steps, batch})
                : (batchFirst ? new long[] {batch, steps, inputWidth} : new long[] {steps, batch, inputWidth});
        long[] outputShape = perStep ? (batchFirst ? new long[] {batch, steps, outputSize}
                : new long[] {steps, batch, outputSize}) : new long[] {batch, outputSize};
        List<OnnxTensor> tensors = new ArrayList<>(8);
        try {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            Map<String, OnnxTensor> pinned = new HashMap<>();
            feeds.put(info.inputName(), track(tensors, model.createInput(input, inputShape)));
            feeds.put(info.stateInputs().get(0), track(tensors, OnnxTensor.createTensor(env, h0, stateShape)));
            pinned.put(info.stateOutputs().get(0), track(tensors, OnnxTensor.createTensor(env, hn, stateShape)));
            if (c0 != null) {
                feeds.put(info.stateInputs().get(1), track(tensors, OnnxTensor.createTensor(env, c0, stateShape)));
                pinned.put(info.stateOutputs().get(1), track(tensors, OnnxTensor.createTensor(env, cn, stateShape)));
            }
            if (model.takesSequenceLengths()) {
                IntBuffer lens = s.ints(6, batch);
                for (int b = 0; b < batch; b++) {
                    lens.put(b, lengths[group[b]]);
                }
                feeds.put(ModelFormat.SEQUENCE_LENGTHS_INPUT, track(tensors,
                        OnnxTensor.createTensor(env, lens, new long[] {batch})));
            }
            pinned.put(info.outputName(), track(tensors, OnnxTensor.createTensor(env, out, outputShape)));
            try (OrtSession.Result ignored = model.ortSession().run(feeds, pinned)) {
                // outputs were written into the pinned buffers
            }
        } finally {
            tensors.forEach(OnnxTensor::close);
        }

        // Scatter.
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
            next[i] = new SessionState(states[i].fingerprint(), states[i].position() + length, rows, hidden, h, c);
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
            outputs[i] = rowsOut;
        }
    }

    private static void clear(java.nio.Buffer input) {
        int n = input.limit();
        if (input instanceof LongBuffer l) {
            for (int i = 0; i < n; i++) {
                l.put(i, 0L);
            }
        } else if (input instanceof IntBuffer in) {
            for (int i = 0; i < n; i++) {
                in.put(i, 0);
            }
        } else {
            FloatBuffer f = (FloatBuffer) input;
            for (int i = 0; i < n; i++) {
                f.put(i, 0f);
            }
        }
    }

    private static OnnxTensor track(List<OnnxTensor> tensors, OnnxTensor t) {
        tensors.add(t);
        return t;
    }

    /** Direct native-order buffers of one thread, one per role, grown on demand and reused across calls. */
    private static final class Scratch {
        private final ByteBuffer[] bytes = new ByteBuffer[7];

        private ByteBuffer slot(int role, int byteCount) {
            ByteBuffer b = bytes[role];
            if (b == null || b.capacity() < byteCount) {
                int capacity = Math.max(byteCount, b == null ? 256 : Math.min(Integer.MAX_VALUE / 2, b.capacity() * 2));
                b = ByteBuffer.allocateDirect(Math.max(capacity, byteCount)).order(ByteOrder.nativeOrder());
                bytes[role] = b;
            }
            ByteBuffer view = b.duplicate().order(ByteOrder.nativeOrder());
            view.clear().limit(byteCount);
            return view;
        }

        FloatBuffer floats(int role, int n) {
            return slot(role, n * 4).asFloatBuffer();
        }

        IntBuffer ints(int role, int n) {
            return slot(role, n * 4).asIntBuffer();
        }

        LongBuffer longs(int role, int n) {
            return slot(role, n * 8).asLongBuffer();
        }
    }
}
