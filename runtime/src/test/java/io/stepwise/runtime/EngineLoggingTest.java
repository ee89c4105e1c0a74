package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's own logging goes through one place ({@code OrtLogging}, set by
 * {@link RuntimeOptions.Builder#optEngineLogLevel}) and is quiet by default (issue 16: it printed to standard error
 * on every failed run). ONNX Runtime writes to the process's standard error, not through {@code System.err}, hence a
 * child JVM. What this shows: the level set here reaches ONNX Runtime (VERBOSE prints its lines) and the default
 * prints nothing over a load, a step and three runs stopped by their timeout. What it does not: ONNX Runtime 1.23.2
 * prints nothing for those stopped runs at WARNING either, so the default test would not notice the default moving
 * from FATAL back to ONNX Runtime's own WARNING; no run failure that prints at WARNING is known to reach it now.
 */
class EngineLoggingTest {
    @Test
    void loadingSteppingAndStoppedRunsPrintNothingByDefault() throws Exception {
        ChildJvm.Result quiet = ChildJvm.run("256m", EngineLogMain.class, "default");
        assertEquals(0, quiet.exit(), quiet.err());
        assertTrue(quiet.out().contains("stepped cancelled=3"), quiet.out());
        assertFalse(quiet.err().contains("onnxruntime"), quiet.err());
    }

    @Test
    void theConfiguredLevelReachesOnnxRuntime() throws Exception {
        ChildJvm.Result verbose = ChildJvm.run("256m", EngineLogMain.class, "VERBOSE");
        assertEquals(0, verbose.exit(), verbose.err());
        assertTrue(verbose.out().contains("stepped cancelled=3"), verbose.out());
        assertTrue(verbose.err().contains(":onnxruntime:"), "expected ONNX Runtime's own lines at VERBOSE");
    }
}
