package io.stepwise.spring;

import io.stepwise.runtime.StepwiseException;

/**
 * A model cannot take work now — it is shutting down or over capacity — though the request itself is fine; retry
 * later (a service answers 503 with Retry-After).
 */
public class ModelUnavailableException extends StepwiseException {
    private final String reason;

    public ModelUnavailableException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A short tag: {@code shutting-down}, {@code overloaded}. */
    public String reason() {
        return reason;
    }
}
