package io.stepwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The command line that runs models must not need DJL or PyTorch: its runtime class path, as Maven resolves it
 * (target/classpath.txt, written by the dependency plugin before the tests), holds the runtime, ONNX Runtime and
 * picocli, and nothing else.
 */
class RuntimeClasspathTest {
    @Test
    void holdsTheRuntimeOnnxRuntimeAndPicocliOnly() throws IOException {
        Path file = Path.of("target", "classpath.txt");
        assertTrue(Files.isRegularFile(file), "the build writes " + file.toAbsolutePath());
        Set<String> artifacts = new TreeSet<>();
        for (String entry : Files.readString(file).strip().split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            assertTrue(!entry.contains("djl") && !entry.contains("pytorch") && !entry.contains("torch"),
                    "DJL/PyTorch on the run command line's class path: " + entry);
            artifacts.add(name.replaceAll("-\\d.*$", ""));
        }
        assertEquals(new TreeSet<>(Arrays.asList("onnxruntime", "picocli", "stepwise-runtime")), artifacts);
    }
}
