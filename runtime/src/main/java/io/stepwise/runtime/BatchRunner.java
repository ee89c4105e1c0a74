package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * The batch path of a {@link RecurrentModel}: whole sequences of many streams in one ONNX Runtime call, from given
 * or zero initial states, with fresh tensors per call. Checks every input first ({@link InputChecks}) and holds the
 * model's read lock while running, so the model cannot be closed under it. The step path is {@link StepSession}.
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
                InputChecks.checkToken(id, info.inputSize(), ints, "tokens[" + b + "][" + t + "]");
                int at = batchFirst ? b * seq + t : t * batch + b;
                if (ints) {
                    int32[at] = (int) id;
                } else {
                    longs[at] = id;
                }
            }
        }
        long[] shape = batchFirst ? new long[] {batch, seq} : new long[] {seq, batch};
        return run(batch, ints ? IntBuffer.wrap(int32) : LongBuffer.wrap(longs), shape, h0, c0);
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
                InputChecks.checkFeatures(row, f, "features[" + b + "][" + t + "]");
                int at = batchFirst ? b * seq + t : t * batch + b;
                System.arraycopy(row, 0, flat, at * f, f);
            }
        }
        long[] shape = batchFirst ? new long[] {batch, seq, f} : new long[] {seq, batch, f};
        return run(batch, FloatBuffer.wrap(flat), shape, h0, c0);
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

    private BatchResult run(int batch, Buffer input, long[] inputShape, float[] h0, float[] c0) {
        float[] h = initialState(h0, batch, "h0");
        float[] c = null;
        if (info.hasCellState()) {
            c = initialState(c0, batch, "c0");
        } else if (c0 != null) {
            throw new IllegalArgumentException("c0: this " + info.cell() + " model has no cell state; pass null");
        }
        long[] stateShape = {info.stateRows(), batch, info.hiddenSize()};
        model.readLock().lock();
        List<OnnxTensor> tensors = new ArrayList<>(3);
        try {
            model.checkClosed();
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put(info.inputName(), track(tensors, model.createInput(input, inputShape)));
            feeds.put(info.stateInputs().get(0), track(tensors, OnnxTensor.createTensor(env, FloatBuffer.wrap(h),
                    stateShape)));
            if (c != null) {
                feeds.put(info.stateInputs().get(1), track(tensors, OnnxTensor.createTensor(env, FloatBuffer.wrap(c),
                        stateShape)));
            }
            if (model.takesSequenceLengths()) {
                long steps = inputShape[batchFirst ? 1 : 0];
                feeds.put(ModelFormat.SEQUENCE_LENGTHS_INPUT, track(tensors, model.sequenceLengths(batch, (int) steps)));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                OnnxTensor out = (OnnxTensor) result.get(info.outputName()).orElseThrow();
                float[] output = toArray(out.getFloatBuffer());
                long[] outputShape = out.getInfo().getShape();
                if (!batchFirst && outputShape.length == 3) {
                    output = swapFirstAxes(output, (int) outputShape[0], (int) outputShape[1], (int) outputShape[2]);
                    outputShape = new long[] {outputShape[1], outputShape[0], outputShape[2]};
                }
                float[] hn = stateOutput(result, 0);
                float[] cn = info.hasCellState() ? stateOutput(result, 1) : null;
                return new BatchResult(output, outputShape, hn, cn, stateShape);
            }
        } catch (OrtException e) {
            throw new StepwiseException(model.source() + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
        } finally {
            tensors.forEach(OnnxTensor::close);
            model.readLock().unlock();
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
