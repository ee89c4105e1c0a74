package io.stepwise.runtime;

/**
 * A run produced NaN or infinity in its output or its new state — weights that overflow on this input, or a
 * corrupt model — while {@link RunLimits#rejectNonFinite()} is on (the default). Nothing of the run is kept: the
 * session's state and position are those before the call, so the values never reach a caller as if they were
 * fine.
 */
public final class NonFiniteOutputException extends StepwiseException {
    private static final long serialVersionUID = 1L;

    private final long position;

    NonFiniteOutputException(String message, long position) {
        super(message);
        this.position = position;
    }

    /** The session position of the first step whose output or state was not finite (0-based). */
    public long position() {
        return position;
    }
}
