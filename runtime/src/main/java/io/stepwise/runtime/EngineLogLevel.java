package io.stepwise.runtime;

import ai.onnxruntime.OrtLoggingLevel;

/**
 * Severities of ONNX Runtime's own log messages, which it prints to standard error. Set once per model in
 * {@link RuntimeOptions.Builder#optEngineLogLevel}; the runtime applies it to session creation and to every run
 * ({@link OrtLogging}), so that this is the one place that decides what ONNX Runtime prints.
 */
public enum EngineLogLevel {
    /** Everything, including per-node traces. */
    VERBOSE(OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE),
    /** Informational messages and above. */
    INFO(OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO),
    /** Warnings (e.g. nodes not placed on the GPU) and above; ONNX Runtime's own default. */
    WARNING(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING),
    /** Errors — such as the message ONNX Runtime prints for every failed run — and above. */
    ERROR(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR),
    /** Fatal errors only: the runtime's default, since failures reach the caller as exceptions. */
    FATAL(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);

    private final OrtLoggingLevel ort;

    EngineLogLevel(OrtLoggingLevel ort) {
        this.ort = ort;
    }

    /** ONNX Runtime's level. */
    OrtLoggingLevel ort() {
        return ort;
    }
}
