package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FIFOs, devices and directories given as model files are refused at once, never opened. */
class ModelFilesTest {
    @TempDir
    Path dir;

    private static void refusedAtOnce(Path p, String fragment) {
        StepwiseException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(StepwiseException.class, () -> RecurrentModel.load(p)));
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void fifosDevicesAndDirectoriesAreRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("model.onnx");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor() == 0 && Files.exists(fifo), "mkfifo");
        refusedAtOnce(fifo, "FIFO");
        refusedAtOnce(Path.of("/dev/zero"), "not a regular file");
        refusedAtOnce(dir, "a directory");
    }
}
