package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BpttBatchesTest {
    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void rowsAreContiguousStreamsContinuedAcrossWindows() {
        BpttBatches batches = new BpttBatches(range(23), 2, 4); // 22 pairs → 11 per row, windows 4,4,3
        assertEquals(11, batches.streamLength());
        assertEquals(3, batches.windowCount());
        assertEquals(22, batches.pairCount());
        List<BpttBatches.Window> windows = new ArrayList<>();
        batches.forEach(windows::add);
        assertEquals(List.of(4, 4, 3), windows.stream().map(BpttBatches.Window::length).toList());
        assertArrayEquals(new int[] {0, 1, 2, 3}, windows.get(0).inputs()[0]);
        assertArrayEquals(new int[] {11, 12, 13, 14}, windows.get(0).inputs()[1]);
        assertArrayEquals(new int[] {4, 5, 6, 7}, windows.get(1).inputs()[0]);
        assertArrayEquals(new int[] {8, 9, 10}, windows.get(2).inputs()[0]);
        assertArrayEquals(new int[] {19, 20, 21}, windows.get(2).inputs()[1]);
        assertArrayEquals(new int[] {20, 21, 22}, windows.get(2).targets()[1]);
        for (BpttBatches.Window w : windows) {
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < w.length(); t++) {
                    assertEquals(w.inputs()[b][t] + 1, w.targets()[b][t]);
                }
            }
        }
    }

    @Test
    void dropsOnlyTheRemainder() {
        BpttBatches batches = new BpttBatches(range(10), 3, 5); // 9 pairs → 3 per row, one window of 3
        assertEquals(1, batches.windowCount());
        assertArrayEquals(new int[] {6, 7, 8}, batches.window(0).inputs()[2]);
        assertArrayEquals(new int[] {7, 8, 9}, batches.window(0).targets()[2]);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new BpttBatches(range(3), 3, 2));
        assertThrows(IllegalArgumentException.class, () -> new BpttBatches(range(30), 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new BpttBatches(range(30), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new BpttBatches(range(30), 2, 5).window(3));
    }
}
