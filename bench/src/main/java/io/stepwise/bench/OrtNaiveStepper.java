package io.stepwise.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.stepwise.conversion.NetworkSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime as a first attempt usually looks: every step builds new tensors from Java arrays
 * ({@code long[][]} token, {@code float[][][]} state), runs, and copies the output and the new state back into
 * Java arrays with {@code getValue()}.
 */
final class OrtNaiveStepper implements Stepper {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final NetworkSpec spec;
    private float[][][] h;
    private float[][][] c;
    private boolean closed;

    OrtNaiveStepper(byte[] onnx, NetworkSpec spec, int intraOpThreads, boolean spinning) {
        this.session = OrtSessions.create(onnx, intraOpThreads, spinning);
        this.spec = spec;
        reset();
    }

    @Override
    public float[] step(int token) {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            feeds.put("tokens", OnnxTensor.createTensor(env, new long[][] {{token}}));
            feeds.put("h0", OnnxTensor.createTensor(env, h));
            if (c != null) {
                feeds.put("c0", OnnxTensor.createTensor(env, c));
            }
            OnnxTensor lengths = OrtSessions.sequenceLengths(session, 1, 1);
            if (lengths != null) {
                feeds.put("sequence_lens", lengths);
            }
            try (OrtSession.Result result = session.run(feeds)) {
                float[][][] out = (float[][][]) result.get("output").orElseThrow().getValue();
                h = (float[][][]) result.get("hn").orElseThrow().getValue();
                if (c != null) {
                    c = (float[][][]) result.get("cn").orElseThrow().getValue();
                }
                return out[0][0];
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime step failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void reset() {
        h = new float[spec.stateRows()][1][spec.hiddenSize()];
        c = spec.cell().hasCellState() ? new float[spec.stateRows()][1][spec.hiddenSize()] : null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
            }
        }
    }
}
