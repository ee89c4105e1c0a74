package io.stepwise.training.data;

/**
 * Evaluation metrics. All inputs must be finite and of equal, non-zero length; violations throw
 * {@link IllegalArgumentException} naming the offending index.
 *
 * <ul>
 *   <li>MAE = mean |y − ŷ|; RMSE = sqrt(mean (y − ŷ)²), in the units of the data.</li>
 *   <li>MASE (Hyndman & Koehler 2006) = MAE / scale, where scale is the in-sample MAE of the seasonal-naive
 *       forecast on the training part ({@link SeasonalNaive#inSampleMae}). MASE &lt; 1: better than the
 *       seasonal-naive method was on the training data; the seasonal-naive forecast itself usually scores
 *       near or above 1 out of sample.</li>
 *   <li>bits per character = mean cross-entropy in nats / ln 2.</li>
 * </ul>
 */
public final class Metrics {
    /**
     * MAE, RMSE and MASE of one forecast.
     *
     * @param mase NaN when no scale was given
     */
    public record Forecast(double mae, double rmse, double mase) {
    }

    private Metrics() {
    }

    public static double mae(double[] actual, double[] predicted) {
        check(actual, predicted);
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            sum += Math.abs(actual[i] - predicted[i]);
        }
        return sum / actual.length;
    }

    public static double rmse(double[] actual, double[] predicted) {
        check(actual, predicted);
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = actual[i] - predicted[i];
            sum += d * d;
        }
        return Math.sqrt(sum / actual.length);
    }

    /** MASE with a precomputed scale (> 0). */
    public static double mase(double[] actual, double[] predicted, double scale) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale: expected a finite value > 0 but got " + scale);
        }
        return mae(actual, predicted) / scale;
    }

    /** MASE scaled by the seasonal-naive in-sample MAE of {@code train} with season {@code season}. */
    public static double mase(double[] actual, double[] predicted, double[] train, int season) {
        return mase(actual, predicted, SeasonalNaive.inSampleMae(train, season));
    }

    /** MAE, RMSE and MASE together. */
    public static Forecast forecast(double[] actual, double[] predicted, double[] train, int season) {
        return new Forecast(mae(actual, predicted), rmse(actual, predicted),
                mase(actual, predicted, train, season));
    }

    /** Share of positions where the labels agree. */
    public static double accuracy(int[] actual, int[] predicted) {
        if (actual.length != predicted.length || actual.length == 0) {
            throw new IllegalArgumentException("actual/predicted: expected equal non-zero lengths but got "
                    + actual.length + "/" + predicted.length);
        }
        int hits = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] == predicted[i]) {
                hits++;
            }
        }
        return (double) hits / actual.length;
    }

    /** Bits per character from a mean cross-entropy in nats (what softmax cross-entropy losses report). */
    public static double bitsPerChar(double meanCrossEntropyNats) {
        if (!(meanCrossEntropyNats >= 0) || !Double.isFinite(meanCrossEntropyNats)) {
            throw new IllegalArgumentException("meanCrossEntropyNats: expected a finite value ≥ 0 but got "
                    + meanCrossEntropyNats);
        }
        return meanCrossEntropyNats / Math.log(2);
    }

    private static void check(double[] actual, double[] predicted) {
        if (actual.length != predicted.length || actual.length == 0) {
            throw new IllegalArgumentException("actual/predicted: expected equal non-zero lengths but got "
                    + actual.length + "/" + predicted.length);
        }
        for (int i = 0; i < actual.length; i++) {
            if (!Double.isFinite(actual[i])) {
                throw new IllegalArgumentException("actual[" + i + "]: expected a finite value but got " + actual[i]);
            }
            if (!Double.isFinite(predicted[i])) {
                throw new IllegalArgumentException("predicted[" + i + "]: expected a finite value but got "
                        + predicted[i]);
            }
        }
    }
}
