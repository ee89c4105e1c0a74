package io.stepwise.runtime;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model's bytes come from, for the loader's decisions (a file may read external data from its folder;
 * bytes in memory may not) and for error messages, which name the file or describe the source.
 *
 * @param description the file's path, or e.g. {@code "model bytes"}, {@code "classpath resource 'x.onnx'"}
 * @param file        the model file, when the model is read from disk
 */
record ModelOrigin(String description, Optional<Path> file) {

    static ModelOrigin file(Path file) {
        return new ModelOrigin(file.toString(), Optional.of(file));
    }

    static ModelOrigin memory(String description) {
        return new ModelOrigin(description, Optional.empty());
    }

    /** A failure of this model: the file's {@link StepwiseException#path()} is set, other sources are named. */
    StepwiseException error(String reason, Throwable cause) {
        return file.map(f -> new StepwiseException(f, reason, cause))
                .orElseGet(() -> new StepwiseException(description + ": " + reason, cause));
    }

    /** A refusal of the validator, re-raised naming this model (the file as {@link StepwiseException#path()}). */
    ModelValidationException invalid(ModelValidationException e) {
        return file.map(f -> new ModelValidationException(f, e.getMessage(), null))
                .orElseGet(() -> new ModelValidationException(description + ": " + e.getMessage()));
    }
}
