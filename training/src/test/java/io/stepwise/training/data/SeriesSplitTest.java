package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SeriesSplitTest {
    @Test
    void cutsTheTail() {
        SeriesSplit split = SeriesSplit.ofTail(10, 3, 2);
        assertEquals(5, split.trainLength());
        assertEquals(5, split.validationStart());
        assertEquals(8, split.testStart());
        double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertArrayEquals(new double[] {0, 1, 2, 3, 4}, split.train(x));
        assertArrayEquals(new double[] {5, 6, 7}, split.validation(x));
        assertArrayEquals(new double[] {8, 9}, split.test(x));
        assertEquals(1, split.test(new double[10][1]).length - 1);
    }

    @Test
    void co2TestTailIsTheLastTwoYears() {
        SeriesSplit split = SeriesSplit.ofTail(2284, 104, 104);
        assertEquals(2076, split.trainLength());
        TimeSeries co2 = SeriesCsv.read(TestData.co2());
        assertEquals("2000-01-08", co2.timeStamps().get(split.testStart()));
    }

    @Test
    void rejectsImpossibleSplits() {
        assertThrows(IllegalArgumentException.class, () -> SeriesSplit.ofTail(5, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> SeriesSplit.ofTail(5, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> SeriesSplit.ofTail(10, 3, 2).train(new double[9]));
    }
}
