package io.stepwise.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.stepwise.conversion.NetworkSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The floor: what a careful hand-written ONNX Runtime loop costs. The token tensor wraps one direct buffer that
 * is rewritten each step; the state never leaves ONNX Runtime — the previous run's {@code hn}/{@code cn} output
 * tensors are fed straight back as {@code h0}/{@code c0}, and that run's result is closed only after the next run.
 * The output is copied into a fresh array, as any caller needs it on the Java side.
 */
final class OrtFloorStepper implements Stepper {
    private final OnnxTensor lengths;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final boolean lstm;
    private final long[] stateShape;
    private final int outputs;
    /** Positions of output, hn and cn among the session's outputs (results are read by index, no lookups). */
    private final int outputIndex;
    private final int hnIndex;
    private final int cnIndex;
    private final LongBuffer token;
    private final OnnxTensor tokenTensor;
    private final Map<String, OnnxTensor> feeds = new HashMap<>();
    private OnnxTensor zeroH;
    private OnnxTensor zeroC;
    /** The run whose {@code hn}/{@code cn} are the current state; null while the state is the zero tensors. */
    private OrtSession.Result previous;
    private boolean closed;

    OrtFloorStepper(byte[] onnx, NetworkSpec spec, int intraOpThreads, boolean spinning) {
        session = OrtSessions.create(onnx, intraOpThreads, spinning);
        lstm = spec.cell().hasCellState();
        stateShape = new long[] {spec.stateRows(), 1, spec.hiddenSize()};
        outputs = spec.outputSize();
        java.util.List<String> names = new java.util.ArrayList<>(session.getOutputNames());
        outputIndex = names.indexOf("output");
        hnIndex = names.indexOf("hn");
        cnIndex = names.indexOf("cn");
        token = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
        try {
            tokenTensor = OnnxTensor.createTensor(env, token, new long[] {1, 1});
        } catch (OrtException e) {
            throw new IllegalStateException("cannot allocate the token tensor: " + e.getMessage(), e);
        }
        feeds.put("tokens", tokenTensor);
        lengths = OrtSessions.sequenceLengths(session, 1, 1);
        if (lengths != null) {
            feeds.put("sequence_lens", lengths);
        }
        reset();
    }

    @Override
    public float[] step(int t) {
        token.put(0, t);
        try {
            OrtSession.Result result = session.run(feeds);
            float[] out = new float[outputs];
            ((OnnxTensor) result.get(outputIndex)).getFloatBuffer().get(out);
            feeds.put("h0", (OnnxTensor) result.get(hnIndex));
            if (lstm) {
                feeds.put("c0", (OnnxTensor) result.get(cnIndex));
            }
            if (previous != null) {
                previous.close();
            }
            previous = result;
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime step failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void reset() {
        try {
            if (zeroH == null) {
                zeroH = zeros();
                zeroC = lstm ? zeros() : null;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cannot allocate the zero state: " + e.getMessage(), e);
        }
        feeds.put("h0", zeroH);
        if (lstm) {
            feeds.put("c0", zeroC);
        }
        if (previous != null) {
            previous.close();
            previous = null;
        }
    }

    private OnnxTensor zeros() throws OrtException {
        int n = (int) (stateShape[0] * stateShape[1] * stateShape[2]);
        return OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder())
                .asFloatBuffer(), stateShape);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (previous != null) {
            previous.close();
        }
        for (OnnxTensor t : new OnnxTensor[] {tokenTensor, zeroH, zeroC, lengths}) {
            if (t != null) {
                t.close();
            }
        }
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
