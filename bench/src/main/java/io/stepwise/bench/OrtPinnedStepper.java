package io.stepwise.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.stepwise.conversion.NetworkSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strictest raw ONNX Runtime loop: besides the reused token tensor, every output is pre-allocated and bound
 * as a pinned output, and the state lives in two pairs of direct buffers whose roles swap each step (run reads
 * one pair as {@code h0}/{@code c0} and writes the other as {@code hn}/{@code cn}), so a run allocates nothing
 * but the returned array. No argument checks, no thread-confinement check: the least a Java caller can pay.
 */
final class OrtPinnedStepper implements Stepper {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final List<OnnxTensor> tensors = new ArrayList<>();
    private final LongBuffer token;
    private final FloatBuffer output;
    private final FloatBuffer[] h = new FloatBuffer[2];
    private final FloatBuffer[] c = new FloatBuffer[2];
    @SuppressWarnings("unchecked")
    private final Map<String, OnnxTensor>[] feeds = new Map[2];
    @SuppressWarnings("unchecked")
    private final Map<String, OnnxTensor>[] pinned = new Map[2];
    private final int outputs;
    private int current;
    private boolean closed;

    OrtPinnedStepper(byte[] onnx, NetworkSpec spec, int intraOpThreads, boolean spinning) {
        session = OrtSessions.create(onnx, intraOpThreads, spinning);
        outputs = spec.outputSize();
        int stateSize = spec.stateRows() * spec.hiddenSize();
        long[] stateShape = {spec.stateRows(), 1, spec.hiddenSize()};
        boolean lstm = spec.cell().hasCellState();
        token = direct(8).asLongBuffer();
        output = direct(outputs * 4).asFloatBuffer();
        try {
            OnnxTensor tokenTensor = track(OnnxTensor.createTensor(env, token, new long[] {1, 1}));
            OnnxTensor lengths = OrtSessions.sequenceLengths(session, 1, 1);
            if (lengths != null) {
                track(lengths);
            }
            OnnxTensor outputTensor = track(OnnxTensor.createTensor(env, output, new long[] {1, 1, outputs}));
            OnnxTensor[] hTensor = new OnnxTensor[2];
            OnnxTensor[] cTensor = new OnnxTensor[2];
            for (int i = 0; i < 2; i++) {
                h[i] = direct(stateSize * 4).asFloatBuffer();
                hTensor[i] = track(OnnxTensor.createTensor(env, h[i], stateShape));
                if (lstm) {
                    c[i] = direct(stateSize * 4).asFloatBuffer();
                    cTensor[i] = track(OnnxTensor.createTensor(env, c[i], stateShape));
                }
            }
            for (int i = 0; i < 2; i++) {
                feeds[i] = new HashMap<>();
                feeds[i].put("tokens", tokenTensor);
                feeds[i].put("h0", hTensor[i]);
                if (lengths != null) {
                    feeds[i].put("sequence_lens", lengths);
                }
                pinned[i] = new HashMap<>();
                pinned[i].put("output", outputTensor);
                pinned[i].put("hn", hTensor[1 - i]);
                if (lstm) {
                    feeds[i].put("c0", cTensor[i]);
                    pinned[i].put("cn", cTensor[1 - i]);
                }
            }
        } catch (OrtException e) {
            close();
            throw new IllegalStateException("cannot allocate the pinned tensors: " + e.getMessage(), e);
        }
    }

    private OnnxTensor track(OnnxTensor t) {
        tensors.add(t);
        return t;
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    @Override
    public float[] step(int t) {
        token.put(0, t);
        try (OrtSession.Result ignored = session.run(feeds[current], pinned[current])) {
            current = 1 - current;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime step failed: " + e.getMessage(), e);
        }
        float[] out = new float[outputs];
        output.get(0, out);
        return out;
    }

    @Override
    public void reset() {
        for (FloatBuffer b : new FloatBuffer[] {h[current], c[current]}) {
            if (b != null) {
                for (int i = 0; i < b.capacity(); i++) {
                    b.put(i, 0f);
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tensors.forEach(OnnxTensor::close);
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
