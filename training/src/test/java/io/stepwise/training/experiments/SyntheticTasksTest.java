package io.stepwise.training.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SyntheticTasksTest {
    @Test
    void addingProblemMarksOneValueInEachHalfAndSumsThem() {
        AddingProblem p = AddingProblem.generate(200, 30, new Random(1));
        for (int s = 0; s < p.count(); s++) {
            int first = 0;
            int second = 0;
            double sum = 0;
            for (int t = 0; t < 30; t++) {
                float value = p.inputs()[(s * 30 + t) * 2];
                float marker = p.inputs()[(s * 30 + t) * 2 + 1];
                assertTrue(value >= 0 && value < 1);
                if (marker == 1f) {
                    sum += value;
                    if (t < 15) {
                        first++;
                    } else {
                        second++;
                    }
                }
            }
            assertEquals(1, first, "one marker in the first half");
            assertEquals(1, second, "one marker in the second half");
            assertEquals(sum, p.targets()[s], 1e-6);
        }
    }

    @Test
    void trivialPredictorErrorIsTheVarianceOfTheSum() {
        AddingProblem p = AddingProblem.generate(20_000, 10, new Random(2));
        assertEquals(AddingProblem.TRIVIAL_MSE, p.targetVariance(), 0.01);
        assertEquals(1.0 / 12, AddingProblem.ONE_NUMBER_MSE, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> AddingProblem.generate(1, 1, new Random(0)));
    }

    @Test
    void delayedCopyAnswersTheSymbolKStepsBack() {
        int[][] streams = DelayedCopy.streams(3, 50, 4, new Random(3));
        for (int[] s : streams) {
            for (int t = 0; t < s.length; t++) {
                assertTrue(s[t] >= 0 && s[t] < 4);
                assertEquals(t < 5 ? -1 : s[t - 5], DelayedCopy.answer(s, t, 5));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> DelayedCopy.streams(1, 1, 1, new Random(0)));
    }
}
