package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** {@link RecurrentTask#crossEntropy(NDArray, NDArray, float)} against the formula worked out by hand. */
class LabelSmoothingTest {
    private static final float[] LOGITS = {2f, 0f, -1f, 0.5f, 0.5f, 3f};
    private static final long[] LABELS = {0, 2};

    /** Cross-entropy against the target 1 − ε + ε/C on the label and ε/C elsewhere, batch mean. */
    private static double expected(float smoothing) {
        int classes = 3;
        double total = 0;
        for (int row = 0; row < LABELS.length; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, LOGITS[row * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(LOGITS[row * classes + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                double logP = LOGITS[row * classes + c] - max - Math.log(sum);
                double target = smoothing / classes + (c == LABELS[row] ? 1 - smoothing : 0);
                total -= target * logP;
            }
        }
        return total / LABELS.length;
    }

    @Test
    void smoothedLossIsTheCrossEntropyAgainstTheSmoothedTarget() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(LOGITS, new Shape(2, 3));
            NDArray labels = manager.create(LABELS);
            for (float smoothing : new float[] {0f, 0.1f, 0.5f}) {
                double loss = RecurrentTask.crossEntropy(logits, labels, smoothing).getFloat();
                assertEquals(expected(smoothing), loss, 1e-5, "smoothing " + smoothing);
            }
            // Smoothing changes the loss: a test that cannot tell them apart would pass for a no-op.
            assertTrue(Math.abs(expected(0.1f) - expected(0f)) > 0.05, "smoothing 0.1 moves the loss");
        }
    }
}
