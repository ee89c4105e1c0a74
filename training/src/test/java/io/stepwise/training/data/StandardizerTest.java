package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StandardizerTest {
    @Test
    void fitsPopulationMomentsAndInverts() {
        double[][] rows = {{1, 10}, {3, 10}, {5, 40}, {7, 40}};
        Standardizer s = Standardizer.fit(rows);
        assertArrayEquals(new double[] {4, 25}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(5), 15}, s.std(), 1e-12);
        double[][] z = s.transform(rows);
        assertEquals(-1, z[0][1], 1e-12);
        double[][] back = s.inverse(z);
        for (int t = 0; t < rows.length; t++) {
            assertArrayEquals(rows[t], back[t], 1e-12);
        }
        assertEquals(7, s.inverse(s.transform(7, 0), 0), 1e-12);
    }

    @Test
    void rejectsNaNAndConstantColumns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Standardizer.fit(new double[] {1, Double.NaN, 3}));
        assertTrue(e.getMessage().contains("rows[1][0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(new double[] {2, 2, 2}));
        assertTrue(e.getMessage().contains("constant"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Standardizer(new double[] {0}, new double[] {0}));
    }
}
