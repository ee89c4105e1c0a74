package io.stepwise.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a model path may be before anything opens it: a regular file (links are followed). A FIFO or a device
 * would block the open or the read for ever, or stream without end; a directory has no bytes to vet. Each is
 * refused at once, naming what the path is.
 */
final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * @throws StepwiseException naming the path and what it is, when it is missing, not readable, or not a
     *                           regular file
     */
    static void requireRegularFile(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new StepwiseException(file, "no such model file", e);
        } catch (IOException e) {
            throw new StepwiseException(file, "cannot read the model file: " + e, e);
        }
        if (a.isRegularFile()) {
            return;
        }
        String what = a.isDirectory() ? "a directory" : a.isOther()
                ? "not a regular file (a FIFO, socket or device, which could block or never end)"
                : "not a regular file";
        throw new StepwiseException(file, "refused: the path is " + what + "; expected an ONNX model file"
                + (a.isDirectory() ? " (name the .onnx file inside it)" : ""), null);
    }
}
