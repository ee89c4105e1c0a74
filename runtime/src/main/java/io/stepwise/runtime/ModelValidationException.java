package io.stepwise.runtime;

import java.nio.file.Path;

/**
 * A model file was refused before ONNX Runtime read it: its structure breaks a {@link ModelLimits} bound, a
 * tensor's data does not match its type and shape, it uses an operator that is not allowed, or a Stepwise file
 * differs from what the Stepwise exporter writes. The message names the tensor, node or key and what differs.
 */
public class ModelValidationException extends StepwiseException {
    private static final long serialVersionUID = 1L;

    /** @param message what differs, naming the tensor, node or key */
    public ModelValidationException(String message) {
        super(message);
    }

    /**
     * @param path    the model file, or {@code null}; it is prepended to the message
     * @param message what differs, naming the tensor, node or key
     * @param cause   the underlying error, or {@code null}
     */
    public ModelValidationException(Path path, String message, Throwable cause) {
        super(path, message, cause);
    }
}
