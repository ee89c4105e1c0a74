package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchKernelTest {
    @Test
    void allFiniteFindsEveryNonFiniteValueWhereverItIs() {
        for (int length : new int[] {0, 1, 3, 4, 5, 8, 513}) {
            float[] v = new float[length];
            Arrays.fill(v, -Float.MAX_VALUE);
            assertTrue(BatchKernel.allFinite(v), "length " + length + " of the largest finite values");
            Arrays.fill(v, -0f);
            assertTrue(BatchKernel.allFinite(v), "length " + length + " of -0");
            for (int at = 0; at < length; at++) {
                for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    Arrays.fill(v, 0.5f);
                    v[at] = bad;
                    assertFalse(BatchKernel.allFinite(v), bad + " at " + at + " of " + length);
                }
            }
        }
    }
}
