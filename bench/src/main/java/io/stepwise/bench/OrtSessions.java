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
}
