package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    private static ConfusionMatrix sample() {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 0 1
        return ConfusionMatrix.of(List.of("spanish", "swedish", "polish"), new int[] {0, 0, 0, 1, 1, 2},
                new int[] {0, 0, 1, 1, 0, 1});
    }

    @Test
    void computesPerClassFigures() {
        ConfusionMatrix m = sample();
        assertEquals(6, m.total());
        assertEquals(0.5, m.accuracy(), 1e-12);
        assertEquals(2 / 3.0, m.precision(0), 1e-12);
        assertEquals(2 / 3.0, m.recall(0), 1e-12);
        assertEquals(1 / 3.0, m.precision(1), 1e-12);
        assertEquals(0.5, m.recall(1), 1e-12);
        assertEquals(0, m.precision(2), "never predicted");
        assertEquals(0, m.recall(2));
        assertEquals(0, m.f1(2));
        assertEquals(2 * (1 / 3.0) * 0.5 / (1 / 3.0 + 0.5), m.f1(1), 1e-12);
        assertEquals((2 / 3.0 + 0.4 + 0) / 3, m.macroF1(), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0}, m.rowShares()[1], 1e-12);
        assertEquals(1, m.count(2, 1));
    }

    @Test
    void rendersATable() {
        String text = sample().render();
        assertTrue(text.contains("spa") && text.contains("swe") && text.contains("pol"), text);
        assertTrue(text.contains("accuracy 0.5000 (3 of 6)"), text);
        assertEquals(5, text.split("\n").length, text);
    }

    @Test
    void rejectsBadLabels() {
        ConfusionMatrix m = sample();
        assertThrows(IllegalArgumentException.class, () -> m.add(3, 0));
        assertThrows(IllegalArgumentException.class, () -> m.add(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(List.of("one")));
        assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrix.of(List.of("a", "b"), new int[] {0}, new int[] {0, 1}));
    }
}
