package io.stepwise.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The one place that decides what ONNX Runtime itself prints (to standard error; its Java API offers no logging
 * callback). Every session the runtime creates and every run it makes take their log severity from
 * {@link RuntimeOptions#engineLogLevel()}: by default only fatal messages, so that a failed run — which reaches the
 * caller as an exception carrying ONNX Runtime's message — does not also print a line on every failure.
 */
final class OrtLogging {
    private OrtLogging() {
    }

    /** The process's ONNX Runtime environment (created on first use with ONNX Runtime's default level). */
    static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /** Applies {@code level} to everything a session logs, its creation included. */
    static void apply(OrtSession.SessionOptions options, EngineLogLevel level) throws OrtException {
        options.setSessionLogLevel(level.ort());
    }

    /** Run options logging at {@code level}; the caller closes them. */
    static OrtSession.RunOptions runOptions(EngineLogLevel level) throws OrtException {
        OrtSession.RunOptions options = new OrtSession.RunOptions();
        try {
            options.setLogLevel(level.ort());
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
