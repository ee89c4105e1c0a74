package io.stepwise.runtime;

/**
 * A call stopped inside ONNX Runtime before it finished: its {@link RunLimits#callTimeout()} passed, or
 * {@link StepSession#cancel()} was called. The session keeps the state and position it had before the call, so
 * the caller may retry, reset or close it.
 */
public final class RunCancelledException extends StepwiseException {
    private static final long serialVersionUID = 1L;

    /** Why the call stopped. */
    public enum Reason {
        /** The call ran longer than {@link RunLimits#callTimeout()}. */
        TIMEOUT,
        /** {@link StepSession#cancel()} was called while it ran. */
        CANCELLED
    }

    private final Reason reason;

    RunCancelledException(String message, Reason reason, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the call stopped. */
    public Reason reason() {
        return reason;
    }
}
