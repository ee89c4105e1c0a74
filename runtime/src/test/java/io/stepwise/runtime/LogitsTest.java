package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogitsTest {
    @Test
    void softmaxWithTemperatureSharpensAndFlattens() {
        float[] logits = {1f, 2f, 3f};
        double[] plain = Logits.softmax(logits);
        double[] sharp = Logits.softmax(logits, 0.5);
        double[] flat = Logits.softmax(logits, 2.0);
        assertEquals(1.0, plain[0] + plain[1] + plain[2], 1e-12);
        assertTrue(sharp[2] > plain[2] && plain[2] > flat[2]);
        assertArrayEquals(Logits.softmax(new float[] {2f, 4f, 6f}), sharp, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Logits.softmax(logits, 0));
        assertThrows(IllegalArgumentException.class, () -> Logits.softmax(logits, Double.NaN));
    }

    @Test
    void rankingAndArgmaxBreakTiesByLowerIndex() {
        assertArrayEquals(new int[] {1, 3, 0, 2}, Logits.rankDescending(new double[] {0.1, 0.4, 0.1, 0.4}));
        assertEquals(1, Logits.argmax(new float[] {0f, 5f, 5f}));
        assertArrayEquals(new int[0], Logits.rankDescending(new double[0]));
    }

    @Test
    void nonFiniteOrEmptyModelOutputIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Logits.logSoftmax(new float[] {0f, Float.NaN}));
        assertTrue(e.getMessage().contains("logit 1 is NaN"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Logits.argmax(new float[0]));
        assertThrows(IllegalStateException.class, () -> Logits.softmax(new float[] {Float.POSITIVE_INFINITY}));
    }
}
