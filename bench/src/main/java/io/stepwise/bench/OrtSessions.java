package io.stepwise.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** Raw ONNX Runtime sessions configured exactly as Stepwise configures its own, so only the calling code differs. */
final class OrtSessions {
    private OrtSessions() {
    }

    static OrtSession create(byte[] onnx, int intraOpThreads, boolean spinning) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            String spin = spinning ? "1" : "0";
            options.addConfigEntry("session.intra_op.allow_spinning", spin);
            options.addConfigEntry("session.inter_op.allow_spinning", spin);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return OrtEnvironment.getEnvironment().createSession(onnx, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the benchmark model: " + e.getMessage(), e);
        }
    }

    /**
     * The {@code sequence_lens} tensor a format-2 Stepwise graph needs on every run (int32 [rows], all
     * {@code length}), or {@code null} for a format-1 graph, which has no such input.
     */
    static ai.onnxruntime.OnnxTensor sequenceLengths(OrtSession session, int rows, int length) {
        if (!session.getInputNames().contains("sequence_lens")) {
            return null;
        }
        int[] lengths = new int[rows];
        java.util.Arrays.fill(lengths, length);
        try {
            return ai.onnxruntime.OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                    java.nio.IntBuffer.wrap(lengths), new long[] {rows});
        } catch (OrtException e) {
            throw new IllegalStateException("cannot allocate sequence_lens: " + e.getMessage(), e);
        }
    }
}
