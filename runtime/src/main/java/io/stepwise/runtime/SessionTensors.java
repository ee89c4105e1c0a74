package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The native side of one {@link StepSession}: the double-buffered state, the step input and output wrapped once
 * as ONNX Runtime tensors, the run arguments built from them, and the session's {@link RunControl}. Kept apart
 * from the session object so that the model can hold (and on close release) the native memory without holding
 * the session: a session that is dropped without {@link StepSession#close()} becomes unreachable, and the
 * {@link Cleaner} releases its tensors and removes them from the model's list. Release is idempotent and
 * synchronized, whoever calls it first — the session's close, the model's close or the cleaner.
 */
final class SessionTensors {
    /** One cleaner thread for every session of the process. */
    static final Cleaner CLEANER = Cleaner.create();

    final FloatBuffer[] hidden = new FloatBuffer[2];
    final FloatBuffer[] cell = new FloatBuffer[2];
    private final OnnxTensor[] hiddenTensor = new OnnxTensor[2];
    private final OnnxTensor[] cellTensor = new OnnxTensor[2];
    final LongBuffer tokenLong;
    final IntBuffer tokenInt;
    final FloatBuffer featureBuffer;
    private final OnnxTensor stepInput;
    final FloatBuffer stepOutputBuffer;
    private final OnnxTensor stepOutput;
    /** Format-2 graphs take sequence_lens on every run: one row of one step, bound once; null for format 1. */
    final OnnxTensor stepLengths;
    /** Run arguments for each value of the session's current buffer index, built once. */
    final Map<String, OnnxTensor>[] stepFeeds;
    final Map<String, OnnxTensor>[] stepPinned;
    final Map<String, OnnxTensor>[] statePinned;
    final RunControl control;
    private boolean released;
    private volatile boolean releasedByModel;

    @SuppressWarnings("unchecked")
    SessionTensors(RecurrentModel model) {
        ModelInfo info = model.info();
        int stateSize = info.stateRows() * info.hiddenSize();
        int outputSize = info.outputSize();
        long[] stateShape = {info.stateRows(), 1, info.hiddenSize()};
        boolean tokens = info.isTokenInput();
        boolean ints = model.tokenType() == OnnxJavaType.INT32;
        var env = model.environment();
        LongBuffer tl = null;
        IntBuffer ti = null;
        FloatBuffer fb = null;
        OnnxTensor in = null;
        FloatBuffer ob = null;
        OnnxTensor out = null;
        OnnxTensor lengths = null;
        RunControl rc = null;
        try {
            for (int i = 0; i < 2; i++) {
                hidden[i] = floats(stateSize);
                hiddenTensor[i] = OnnxTensor.createTensor(env, hidden[i], stateShape);
                if (info.hasCellState()) {
                    cell[i] = floats(stateSize);
                    cellTensor[i] = OnnxTensor.createTensor(env, cell[i], stateShape);
                }
            }
            if (tokens && !ints) {
                tl = direct(8).asLongBuffer();
                in = OnnxTensor.createTensor(env, tl, new long[] {1, 1});
            } else if (tokens) {
                ti = direct(4).asIntBuffer();
                in = OnnxTensor.createTensor(env, ti, new long[] {1, 1});
            } else {
                fb = floats(info.inputSize());
                in = OnnxTensor.createTensor(env, fb, new long[] {1, 1, info.inputSize()});
            }
            ob = floats(outputSize);
            out = OnnxTensor.createTensor(env, ob,
                    info.isPerStep() ? new long[] {1, 1, outputSize} : new long[] {1, outputSize});
            lengths = model.takesSequenceLengths() ? model.sequenceLengths(1, 1) : null;
            rc = new RunControl(model.options().engineLogLevel());
        } catch (OrtException e) {
            close(in);
            close(out);
            close(lengths);
            closeState();
            throw new StepwiseException(model.source() + ": cannot allocate a session's tensors: " + e.getMessage(), e);
        }
        tokenLong = tl;
        tokenInt = ti;
        featureBuffer = fb;
        stepInput = in;
        stepOutputBuffer = ob;
        stepOutput = out;
        stepLengths = lengths;
        control = rc;
        stepFeeds = new Map[2];
        stepPinned = new Map[2];
        statePinned = new Map[2];
        for (int cur = 0; cur < 2; cur++) {
            int next = 1 - cur;
            stepFeeds[cur] = new HashMap<>();
            stepFeeds[cur].put(info.inputName(), stepInput);
            stepFeeds[cur].put(info.stateInputs().get(0), hiddenTensor[cur]);
            if (stepLengths != null) {
                stepFeeds[cur].put(ModelFormat.SEQUENCE_LENGTHS_INPUT, stepLengths);
            }
            statePinned[cur] = new HashMap<>();
            statePinned[cur].put(info.stateOutputs().get(0), hiddenTensor[next]);
            if (info.hasCellState()) {
                stepFeeds[cur].put(info.stateInputs().get(1), cellTensor[cur]);
                statePinned[cur].put(info.stateOutputs().get(1), cellTensor[next]);
            }
            stepPinned[cur] = new HashMap<>(statePinned[cur]);
            stepPinned[cur].put(info.outputName(), stepOutput);
        }
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    static FloatBuffer floats(int n) {
        return direct(n * 4).asFloatBuffer();
    }

    /** Whether the model's close released these tensors. */
    boolean releasedByModel() {
        return releasedByModel;
    }

    /**
     * Frees the native tensors and run options. Idempotent.
     *
     * @param byModel whether the model's close is the caller (the session then reports its model as closed)
     * @return whether this call released them
     */
    synchronized boolean release(boolean byModel) {
        if (released) {
            return false;
        }
        released = true;
        releasedByModel = byModel;
        closeState();
        close(stepInput);
        close(stepOutput);
        close(stepLengths);
        if (control != null) {
            control.close();
        }
        return true;
    }

    private void closeState() {
        for (int i = 0; i < 2; i++) {
            close(hiddenTensor[i]);
            close(cellTensor[i]);
        }
    }

    private static void close(OnnxTensor t) {
        if (t != null) {
            t.close();
        }
    }

    /**
     * The cleaner's action for a session: releases its tensors and forgets them in the model. Holds the model and
     * the tensors, never the session, so the session can become unreachable.
     */
    record Reclaim(RecurrentModel model, SessionTensors tensors) implements Runnable {
        @Override
        public void run() {
            tensors.release(false);
            model.forget(tensors);
        }
    }
}
