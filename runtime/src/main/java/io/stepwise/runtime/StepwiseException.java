package io.stepwise.runtime;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A model could not be loaded or run: the file is missing, truncated, corrupt or not ONNX; it carries neither
 * Stepwise metadata nor a {@link ModelSignature}; its graph does not match its metadata; it refers to external
 * data outside its folder; or ONNX Runtime reported an error.
 *
 * <p>Unchecked on purpose. ONNX Runtime's own {@code OrtException} is checked, but nearly every caller of a
 * model loader can do nothing but report the failure, and a checked exception on every {@code step()} would
 * push {@code try/catch} into every decoding loop. Misuse by the caller is reported with the usual
 * {@link IllegalArgumentException} (bad argument) and {@link IllegalStateException} (closed object, concurrent
 * use), never with this class.
 */
public class StepwiseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /** A failure not tied to a file (a model loaded from bytes, or a run). */
    public StepwiseException(String message) {
        this(null, message, null);
    }

    /** A failure not tied to a file, with its underlying error. */
    public StepwiseException(String message, Throwable cause) {
        this(null, message, cause);
    }

    /**
     * @param path    the model file concerned, or {@code null}; it is prepended to the message
     * @param message the reason, phrased so that it says what to change
     * @param cause   the underlying error, or {@code null}
     */
    public StepwiseException(Path path, String message, Throwable cause) {
        super(path == null ? message : path + ": " + message, cause);
        this.path = path;
    }

    /** The model file concerned, when the model came from a file. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }
}
