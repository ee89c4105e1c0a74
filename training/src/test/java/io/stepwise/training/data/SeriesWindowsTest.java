package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SeriesWindowsTest {
    private static double[][] rows(int n) {
        double[][] r = new double[n][2];
        for (int t = 0; t < n; t++) {
            r[t][0] = t;
            r[t][1] = 100 + t;
        }
        return r;
    }

    @Test
    void targetsAreTheNextStepOfEveryInputStep() {
        SeriesWindows.Windows w = SeriesWindows.teacherForced(rows(10), 4, 1, 2);
        // starts 0, 2, 4: the last needs row 4+3+1 = 8 ≤ 9; start 6 would need row 10
        assertArrayEquals(new int[] {0, 2, 4}, w.starts());
        assertEquals(3, w.count());
        assertArrayEquals(new float[] {2, 102}, w.inputs()[1][0]);
        assertArrayEquals(new float[] {3, 103}, w.targets()[1][0]);
        assertArrayEquals(new float[] {8, 108}, w.targets()[2][3]);
    }

    @Test
    void longerHorizonAndTargetSubset() {
        SeriesWindows.Windows w = SeriesWindows.teacherForced(rows(10), 3, 3, 1, new int[] {1});
        assertEquals(5, w.count()); // starts 0..4: 4+2+3 = 9
        assertArrayEquals(new float[] {103}, w.targets()[0][0]);
        assertArrayEquals(new float[] {109}, w.targets()[4][2]);
        assertEquals(2, w.inputs()[0][0].length);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> SeriesWindows.teacherForced(rows(4), 4, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SeriesWindows.teacherForced(rows(10), 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SeriesWindows.teacherForced(rows(10), 2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> SeriesWindows.teacherForced(rows(10), 2, 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> SeriesWindows.teacherForced(rows(10), 2, 1, 1, new int[] {2}));
        double[][] r = rows(10);
        r[5][1] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> SeriesWindows.teacherForced(r, 2, 1, 1));
    }
}
