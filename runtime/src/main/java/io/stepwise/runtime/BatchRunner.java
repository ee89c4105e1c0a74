package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.function.IntUnaryOperator;

/**
 * The batch path of a {@link RecurrentModel}: whole sequences of many streams in one ONNX Runtime call, from given
 * or zero initial states, with fresh tensors per call. Checks every input first ({@link InputChecks}) and holds the
 * model's read lock while running, so the model cannot be closed under it. Sequences longer than the
 * {@link RunLimits} allow in one run are run in chunks that carry the state on, under one call timeout. The step
 * path is {@link StepSession}.
 */
final class BatchRunner {
    private final RecurrentModel model;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelInfo info;
    private final OnnxJavaType tokenType;
    private final boolean batchFirst;

    BatchRunner(RecurrentModel model) {
        this.model = model;
        this.env = model.environment();
        this.session = model.ortSession();
        this.info = model.info();
        this.tokenType = model.tokenType();
        this.batchFirst = model.batchFirst();
    }

    /** See {@link RecurrentModel#forward(long[][], float[], float[])}. */
    BatchResult forward(long[][] tokens, float[] h0, float[] c0) {
        Objects.requireNonNull(tokens, "tokens");
        InputChecks.requireInput(info, true);
        int batch = tokens.length;
        int seq = sequenceLength(batch, i -> tokens[i] == null ? -1 : tokens[i].length, "tokens");
        boolean ints = tokenType == OnnxJavaType.INT32;
        long[] longs = ints ? null : new long[batch * seq];
        int[] int32 = ints ? new int[batch * seq] : null;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                long id = tokens[b][t];
                if (id < 0 || (info.inputSize() > 0 && id >= info.inputSize()) || (ints && id > Integer.MAX_VALUE)) {
                    InputChecks.checkToken(id, info.inputSize(), ints, "tokens[" + b + "][" + t + "]");
                }
                int at = batchFirst ? b * seq + t : t * batch + b;
                if (ints) {
                    int32[at] = (int) id;
                } else {
                    longs[at] = id;
                }
            }
        }
        return run(batch, seq, 0, (from, to) -> {
            int n = to - from;
            long[] shape = batchFirst ? new long[] {batch, n} : new long[] {n, batch};
            if (ints) {
                return model.createInput(IntBuffer.wrap(slice(int32, batch, seq, 1, from, to)), shape);
            }
            return model.createInput(LongBuffer.wrap(slice(longs, batch, seq, 1, from, to)), shape);
        }, h0, c0);
    }

    /** See {@link RecurrentModel#forward(float[][][], float[], float[])}. */
    BatchResult forward(float[][][] features, float[] h0, float[] c0) {
        Objects.requireNonNull(features, "features");
        InputChecks.requireInput(info, false);
        int batch = features.length;
        int seq = sequenceLength(batch, i -> features[i] == null ? -1 : features[i].length, "features");
        int f = info.inputSize();
        float[] flat = new float[batch * seq * f];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                float[] row = features[b][t];
                if (!InputChecks.featuresOk(row, f)) {
                    InputChecks.checkFeatures(row, f, "features[" + b + "][" + t + "]");
                }
                int at = batchFirst ? b * seq + t : t * batch + b;
                System.arraycopy(row, 0, flat, at * f, f);
            }
        }
        return run(batch, seq, f, (from, to) -> {
            int n = to - from;
            long[] shape = batchFirst ? new long[] {batch, n, f} : new long[] {n, batch, f};
            return model.createInput(FloatBuffer.wrap(slice(flat, batch, seq, f, from, to)), shape);
        }, h0, c0);
    }

    private static int sequenceLength(int batch, IntUnaryOperator length, String name) {
        if (batch < 1) {
            throw new IllegalArgumentException(name + ": expected at least one sequence but got none");
        }
        int seq = length.applyAsInt(0);
        for (int b = 0; b < batch; b++) {
            int n = length.applyAsInt(b);
            if (n < 1) {
                throw new IllegalArgumentException(name + "[" + b + "]: expected a sequence of at least one step but got "
                        + (n < 0 ? "null" : "an empty one"));
            }
            if (n != seq) {
                throw new IllegalArgumentException(name + "[" + b + "]: all sequences of a batch need the same length;"
                        + " sequence 0 has " + seq + " steps but sequence " + b + " has " + n);
            }
        }
        return seq;
    }

    private float[] initialState(float[] given, int batch, String name) {
        int size = info.stateRows() * batch * info.hiddenSize();
        if (given == null) {
            return new float[size];
        }
        InputChecks.checkState(given, size, "[" + info.stateRows() + ", " + batch + ", " + info.hiddenSize() + "]",
                name);
        return given;
    }

    @FunctionalInterface
    private interface ChunkInput {
        OnnxTensor create(int from, int to) throws OrtException;
    }

    private long[] slice(long[] flat, int batch, int seq, int width, int from, int to) {
        if (from == 0 && to == seq) {
            return flat;
        }
        long[] out = new long[batch * (to - from) * width];
        copyChunk(flat, out, batch, seq, width, from, to);
        return out;
    }

    private int[] slice(int[] flat, int batch, int seq, int width, int from, int to) {
        if (from == 0 && to == seq) {
            return flat;
        }
        int[] out = new int[batch * (to - from) * width];
        copyChunk(flat, out, batch, seq, width, from, to);
        return out;
    }

    private float[] slice(float[] flat, int batch, int seq, int width, int from, int to) {
        if (from == 0 && to == seq) {
            return flat;
        }
        float[] out = new float[batch * (to - from) * width];
        copyChunk(flat, out, batch, seq, width, from, to);
        return out;
    }

    /** Copies steps [from, to) of each sequence (width values per step) in the graph's layout. */
    private void copyChunk(Object flat, Object out, int batch, int seq, int width, int from, int to) {
        int w = Math.max(1, width);
        int n = to - from;
        if (batchFirst) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(flat, (b * seq + from) * w, out, b * n * w, n * w);
            }
        } else {
            System.arraycopy(flat, from * batch * w, out, 0, n * batch * w);
        }
    }

    /**
     * Runs the sequences in chunks of at most {@link RunLimits#maxStepsPerRun()} stream-steps (batch × chunk
     * length), each starting from the state the previous one ended in, under one call timeout.
     */
    private BatchResult run(int batch, int seq, int width, ChunkInput input, float[] h0, float[] c0) {
        float[] h = initialState(h0, batch, "h0");
        float[] c = null;
        if (info.hasCellState()) {
            c = initialState(c0, batch, "c0");
        } else if (c0 != null) {
            throw new IllegalArgumentException("c0: this " + info.cell() + " model has no cell state; pass null");
        }
        RunLimits limits = model.runLimits();
        int chunk = Math.max(1, limits.maxStepsPerRun() / batch);
        long[] stateShape = {info.stateRows(), batch, info.hiddenSize()};
        int o = info.outputSize();
        float[] output = info.isPerStep() ? new float[Math.multiplyExact(Math.multiplyExact(batch, seq), o)]
                : new float[batch * o];
        model.readLock().lock();
        try (RunControl control = new RunControl(model.options().engineLogLevel())) {
            model.checkClosed();
            ScheduledFuture<?> timer = control.begin(limits.callTimeout());
            try {
                for (int from = 0; from < seq; from += chunk) {
                    int to = (int) Math.min(seq, (long) from + chunk);
                    control.checkStopped(model.source(), limits.callTimeout(), null);
                    float[][] next = runChunk(input, from, to, batch, seq, h, c, stateShape, output, control, limits);
                    h = next[0];
                    c = next[1];
                }
            } finally {
                control.end(timer);
            }
            long[] outputShape = info.isPerStep() ? new long[] {batch, seq, o} : new long[] {batch, o};
            return new BatchResult(output, outputShape, h, c, stateShape);
        } catch (OrtException e) {
            throw new StepwiseException(model.source() + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
        } finally {
            model.readLock().unlock();
        }
    }

    /** One chunk: writes its output rows into {@code output} (batch-first) and returns its final {h, c}. */
    private float[][] runChunk(ChunkInput input, int from, int to, int batch, int seq, float[] h, float[] c,
                               long[] stateShape, float[] output, RunControl control, RunLimits limits)
            throws OrtException {
        List<OnnxTensor> tensors = new ArrayList<>(3);
        try {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put(info.inputName(), track(tensors, input.create(from, to)));
            feeds.put(info.stateInputs().get(0), track(tensors, OnnxTensor.createTensor(env, FloatBuffer.wrap(h),
                    stateShape)));
            if (c != null) {
                feeds.put(info.stateInputs().get(1), track(tensors, OnnxTensor.createTensor(env, FloatBuffer.wrap(c),
                        stateShape)));
            }
            if (model.takesSequenceLengths()) {
                feeds.put(ModelFormat.SEQUENCE_LENGTHS_INPUT, track(tensors, model.sequenceLengths(batch, to - from)));
            }
            try (OrtSession.Result result = session.run(feeds, control.options())) {
                OnnxTensor out = (OnnxTensor) result.get(info.outputName()).orElseThrow();
                float[] chunkOut = toArray(out.getFloatBuffer());
                int o = info.outputSize();
                int n = to - from;
                if (info.isPerStep()) {
                    if (!batchFirst) {
                        chunkOut = swapFirstAxes(chunkOut, n, batch, o);
                    }
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(chunkOut, b * n * o, output, (b * seq + from) * o, n * o);
                    }
                } else {
                    System.arraycopy(chunkOut, 0, output, 0, batch * o);
                }
                float[] hn = stateOutput(result, 0);
                float[] cn = info.hasCellState() ? stateOutput(result, 1) : null;
                if (limits.rejectNonFinite()) {
                    requireFinite(chunkOut, "output", from);
                    requireFinite(hn, "hn", from);
                    if (cn != null) {
                        requireFinite(cn, "cn", from);
                    }
                }
                return new float[][] {hn, cn};
            }
        } catch (OrtException e) {
            control.checkStopped(model.source(), limits.callTimeout(), e);
            throw e;
        } finally {
            tensors.forEach(OnnxTensor::close);
        }
    }

    private void requireFinite(float[] values, String what, int from) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NonFiniteOutputException(model.source() + ": forward produced " + values[i] + " in its "
                        + what + " (index " + i + ", in the run from step " + from + "); the model's weights overflow"
                        + " on this input or are corrupt (RunLimits.rejectNonFinite)", from);
            }
        }
    }

    private float[] stateOutput(OrtSession.Result result, int index) {
        OnnxValue v = result.get(info.stateOutputs().get(index)).orElseThrow();
        return toArray(((OnnxTensor) v).getFloatBuffer());
    }

    private static OnnxTensor track(List<OnnxTensor> tensors, OnnxTensor t) {
        tensors.add(t);
        return t;
    }

    
    private static float[] toArray(FloatBuffer buffer) {
        float[] a = new float[buffer.remaining()];
        buffer.get(a);
        return a;
    }

    /** [a, b, w] → [b, a, w]. */
    private static float[] swapFirstAxes(float[] x, int a, int b, int w) {
        float[] y = new float[x.length];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(x, (i * b + j) * w, y, (j * a + i) * w, w);
            }
        }
        return y;
    }
}
