package io.stepwise.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;

/** Translates {@link RuntimeOptions} into ONNX Runtime's session options, CUDA included. */
final class OrtSessionOptions {
    private OrtSessionOptions() {
    }

    /**
     * ONNX Runtime's options for {@code options}; the caller closes them.
     *
     * @param source names the model in errors
     * @throws StepwiseException when CUDA is asked for but missing or cannot be initialised
     */
    static OrtSession.SessionOptions create(RuntimeOptions options, String source) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            OrtLogging.apply(so, options.engineLogLevel());
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            String spin = options.spinning() ? "1" : "0";
            so.addConfigEntry("session.intra_op.allow_spinning", spin);
            so.addConfigEntry("session.inter_op.allow_spinning", spin);
            so.setOptimizationLevel(switch (options.optimizationLevel()) {
                case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            if (options.device().isCuda()) {
                addCuda(so, options.device().deviceId(), source);
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    private static void addCuda(OrtSession.SessionOptions so, int deviceId, String source) {
        String fix = "To run on a GPU, build with the ONNX Runtime GPU artifact (Maven profile -Pgpu, artifact"
                + " com.microsoft.onnxruntime:onnxruntime_gpu) and install CUDA 12 with cuDNN 9 and an NVIDIA driver;"
                + " or use Device.CPU.";
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new StepwiseException(source + ": CUDA was requested but this ONNX Runtime has no CUDA execution"
                    + " provider (available: " + OrtEnvironment.getAvailableProviders() + "). " + fix);
        }
        try {
            so.addCUDA(deviceId);
        } catch (OrtException e) {
            throw new StepwiseException(source + ": CUDA device " + deviceId + " could not be initialised ("
                    + e.getMessage() + "). " + fix, e);
        }
    }
}
