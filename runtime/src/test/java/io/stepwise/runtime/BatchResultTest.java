package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BatchResultTest {
    @Test
    void outputAtSlicesRows() {
        float[] out = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        BatchResult perStep = new BatchResult(out, new long[] {2, 3, 2}, new float[0], null, new long[] {1, 2, 0});
        assertArrayEquals(new float[] {8, 9}, perStep.outputAt(1, 1));
        assertThrows(IllegalArgumentException.class, () -> perStep.outputAt(2, 0));
        assertThrows(IllegalStateException.class, () -> perStep.outputAt(0));
        BatchResult finalState = new BatchResult(out, new long[] {3, 4}, new float[0], null, new long[] {1, 3, 0});
        assertArrayEquals(new float[] {8, 9, 10, 11}, finalState.outputAt(2));
        assertThrows(IllegalStateException.class, () -> finalState.outputAt(0, 0));
    }
}
