package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StateChecksTest {
    @Test
    void allFiniteFindsEveryNonFiniteValueWhereverItIs() {
        for (int length : new int[] {0, 1, 3, 4, 5, 8, 513}) {
            float[] v = new float[length];
            Arrays.fill(v, -Float.MAX_VALUE);
            assertTrue(StateChecks.allFinite(v), "length " + length + " of the largest finite values");
            Arrays.fill(v, -0f);
            assertTrue(StateChecks.allFinite(v), "length " + length + " of -0");
            for (int at = 0; at < length; at++) {
                for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    Arrays.fill(v, 0.5f);
                    v[at] = bad;
                    assertFalse(StateChecks.allFinite(v), bad + " at " + at + " of " + length);
                }
            }
        }
    }
}
