package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The native side of one {@link BatchKernel} call in flight: direct buffers for the gathered input, states and
 * outputs, the ONNX Runtime tensors over them, and the run options. A workspace serves one call at a time; the
 * kernel lends it from a pool and takes it back, so a steady stream of calls creates no tensor and no run options
 * (wrapping a buffer as a tensor and making run options are JNI round trips that, per call, cost a batch-1 step
 * about half its time again).
 *
 * <p>Tensors of one-step calls are kept per batch size ({@link #binding}), since a scheduler's batch sizes recur;
 * calls of several steps (prefill) bind per call. A binding holds its own views of the buffers, so it stays
 * consistent when a buffer grows; growing drops the kept bindings anyway, so that the old buffers they hold can be
 * freed. {@link #close()} frees every tensor and the run options.
 */
final class BatchWorkspace implements AutoCloseable {
    /** One-step bindings are kept for batch sizes up to this; larger ones bind per call. */
    static final int KEPT_BATCH_SIZES = 1024;
    private static final int INPUT = 0;
    private static final int H0 = 1;
    private static final int C0 = 2;
    private static final int HN = 3;
    private static final int CN = 4;
    private static final int OUT = 5;
    private static final int LENGTHS = 6;

    private final RecurrentModel model;
    private final ModelInfo info;
    private final boolean ints;
    private final int inputWidth;
    final RunControl control;
    private final ByteBuffer[] bytes = new ByteBuffer[7];
    private final Map<Integer, Binding> kept = new HashMap<>();
    private boolean closed;

    BatchWorkspace(RecurrentModel model) throws OrtException {
        this.model = model;
        this.info = model.info();
        this.ints = model.tokenType() == OnnxJavaType.INT32;
        this.inputWidth = info.isTokenInput() ? 1 : info.inputSize();
        this.control = new RunControl(model.options().engineLogLevel());
    }

    /**
     * The buffers and tensors for a call of {@code batch} rows of {@code steps} steps. A one-step binding is kept
     * for the next call of that size; any other must be {@link Binding#release released} after its call.
     */
    Binding binding(int batch, int steps) throws OrtException {
        if (steps == 1 && batch <= KEPT_BATCH_SIZES) {
            Binding b = kept.get(batch);
            if (b == null) {
                b = bind(batch, 1, true);
                kept.put(batch, b);
            }
            return b;
        }
        return bind(batch, steps, false);
    }

    private Binding bind(int batch, int steps, boolean keep) throws OrtException {
        int rows = info.stateRows();
        int hidden = info.hiddenSize();
        int out = info.outputSize();
        boolean perStep = info.isPerStep();
        boolean batchFirst = model.batchFirst();
        boolean cell = info.hasCellState();
        int stateSize = rows * batch * hidden;
        int inputs = batch * steps * inputWidth;
        int outputs = perStep ? batch * steps * out : batch * out;
        // Size every buffer first: growing one drops the kept bindings, which must not include this one.
        ensure(INPUT, inputs * (info.isTokenInput() && !ints ? 8 : 4));
        ensure(H0, stateSize * 4);
        ensure(HN, stateSize * 4);
        if (cell) {
            ensure(C0, stateSize * 4);
            ensure(CN, stateSize * 4);
        }
        ensure(OUT, outputs * 4);
        if (model.takesSequenceLengths()) {
            ensure(LENGTHS, batch * 4);
        }
        Binding b = new Binding(batch, steps, keep);
        OrtEnvironment env = model.environment();
        long[] stateShape = {rows, batch, hidden};
        long[] inputShape = info.isTokenInput()
                ? (batchFirst ? new long[] {batch, steps} : new long[] {steps, batch})
                : (batchFirst ? new long[] {batch, steps, inputWidth} : new long[] {steps, batch, inputWidth});
        long[] outputShape = perStep ? (batchFirst ? new long[] {batch, steps, out} : new long[] {steps, batch, out})
                : new long[] {batch, out};
        try {
            b.input = !info.isTokenInput() ? view(INPUT, inputs * 4).asFloatBuffer()
                    : ints ? view(INPUT, inputs * 4).asIntBuffer() : view(INPUT, inputs * 8).asLongBuffer();
            b.feeds.put(info.inputName(), b.track(model.createInput(b.input, inputShape)));
            b.h0 = view(H0, stateSize * 4).asFloatBuffer();
            b.feeds.put(info.stateInputs().get(0), b.track(OnnxTensor.createTensor(env, b.h0, stateShape)));
            b.hn = view(HN, stateSize * 4).asFloatBuffer();
            b.pinned.put(info.stateOutputs().get(0), b.track(OnnxTensor.createTensor(env, b.hn, stateShape)));
            if (cell) {
                b.c0 = view(C0, stateSize * 4).asFloatBuffer();
                b.feeds.put(info.stateInputs().get(1), b.track(OnnxTensor.createTensor(env, b.c0, stateShape)));
                b.cn = view(CN, stateSize * 4).asFloatBuffer();
                b.pinned.put(info.stateOutputs().get(1), b.track(OnnxTensor.createTensor(env, b.cn, stateShape)));
            }
            b.out = view(OUT, outputs * 4).asFloatBuffer();
            b.pinned.put(info.outputName(), b.track(OnnxTensor.createTensor(env, b.out, outputShape)));
            if (model.takesSequenceLengths()) {
                b.lengths = view(LENGTHS, batch * 4).asIntBuffer();
                b.feeds.put(ModelFormat.SEQUENCE_LENGTHS_INPUT,
                        b.track(OnnxTensor.createTensor(env, b.lengths, new long[] {batch})));
            }
            return b;
        } catch (OrtException | RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /**
     * Makes buffer {@code role} hold at least {@code byteCount} bytes. Growing it drops every kept binding: they
     * would still work (each has its own views) but would keep the old buffers alive.
     */
    private void ensure(int role, int byteCount) {
        ByteBuffer b = bytes[role];
        if (b != null && b.capacity() >= byteCount) {
            return;
        }
        int capacity = Math.max(byteCount, b == null ? 256 : (int) Math.min(Integer.MAX_VALUE / 2, 2L * b.capacity()));
        bytes[role] = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
        kept.values().forEach(Binding::close);
        kept.clear();
    }

    private ByteBuffer view(int role, int byteCount) {
        ByteBuffer v = bytes[role].duplicate().order(ByteOrder.nativeOrder());
        v.clear().limit(byteCount);
        return v;
    }

    /** Frees the kept tensors and the run options. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        kept.values().forEach(Binding::close);
        kept.clear();
        control.close();
    }

    /** Buffers of one call shape and the run arguments over them. */
    static final class Binding {
        final int batch;
        final int steps;
        private final boolean keep;
        Buffer input;
        FloatBuffer h0;
        FloatBuffer c0;
        FloatBuffer hn;
        FloatBuffer cn;
        FloatBuffer out;
        /** Per-row lengths (format 2), else null. */
        IntBuffer lengths;
        final Map<String, OnnxTensor> feeds = new HashMap<>();
        final Map<String, OnnxTensor> pinned = new HashMap<>();
        private final List<OnnxTensor> tensors = new ArrayList<>(7);

        private Binding(int batch, int steps, boolean keep) {
            this.batch = batch;
            this.steps = steps;
            this.keep = keep;
        }

        private OnnxTensor track(OnnxTensor t) {
            tensors.add(t);
            return t;
        }

        /** Ends a call: frees the tensors of a per-call binding; a kept one stays for the next call. */
        void release() {
            if (!keep) {
                close();
            }
        }

        private void close() {
            tensors.forEach(OnnxTensor::close);
            tensors.clear();
        }

        /** Zeroes the input (the padding of rows shorter than the longest). */
        void clearInput() {
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
    }
}
