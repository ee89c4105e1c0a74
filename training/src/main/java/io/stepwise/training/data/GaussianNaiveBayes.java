package io.stepwise.training.data;

/**
 * Gaussian naive Bayes over a fixed summary of each sequence of feature vectors, the baseline for sequence
 * classification: per feature its mean, standard deviation, first and last value, plus the sequence length. Per
 * class and summary value a normal distribution fitted on the training sequences (variance floored at 1e-6 plus 1 %
 * of the largest variance, so a constant value does not dominate); prediction takes the class with the largest
 * {@code log P(c) + Σ log N(x | μ, σ²)}, ties to the lower label.
 */
public final class GaussianNaiveBayes {
    private final double[] logPrior;
    private final double[][] mean;
    private final double[][] variance;

    private GaussianNaiveBayes(double[] logPrior, double[][] mean, double[][] variance) {
        this.logPrior = logPrior;
        this.mean = mean;
        this.variance = variance;
    }

    /** The summary vector of one sequence [steps][features]. */
    public static double[] summary(float[][] steps) {
        int width = steps[0].length;
        double[] s = new double[4 * width + 1];
        for (int f = 0; f < width; f++) {
            double sum = 0;
            double sq = 0;
            for (float[] step : steps) {
                sum += step[f];
                sq += (double) step[f] * step[f];
            }
            double m = sum / steps.length;
            s[4 * f] = m;
            s[4 * f + 1] = Math.sqrt(Math.max(0, sq / steps.length - m * m));
            s[4 * f + 2] = steps[0][f];
            s[4 * f + 3] = steps[steps.length - 1][f];
        }
        s[4 * width] = steps.length;
        return s;
    }

    /** Fits the classes of {@code labels} (ids in [0, labelCount)) on the summaries of {@code sequences}. */
    public static GaussianNaiveBayes train(float[][][] sequences, int[] labels, int labelCount) {
        double[][] x = new double[sequences.length][];
        for (int i = 0; i < x.length; i++) {
            x[i] = summary(sequences[i]);
        }
        int d = x[0].length;
        double[] count = new double[labelCount];
        double[][] mean = new double[labelCount][d];
        double[][] var = new double[labelCount][d];
        for (int i = 0; i < x.length; i++) {
            count[labels[i]]++;
            for (int j = 0; j < d; j++) {
                mean[labels[i]][j] += x[i][j];
            }
        }
        for (int c = 0; c < labelCount; c++) {
            for (int j = 0; j < d; j++) {
                mean[c][j] /= Math.max(1, count[c]);
            }
        }
        double largest = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                double e = x[i][j] - mean[labels[i]][j];
                var[labels[i]][j] += e * e;
            }
        }
        for (int c = 0; c < labelCount; c++) {
            for (int j = 0; j < d; j++) {
                var[c][j] /= Math.max(1, count[c]);
                largest = Math.max(largest, var[c][j]);
            }
        }
        double floor = 1e-6 + 0.01 * largest;
        double[] logPrior = new double[labelCount];
        for (int c = 0; c < labelCount; c++) {
            logPrior[c] = count[c] > 0 ? Math.log(count[c] / x.length) : Double.NEGATIVE_INFINITY;
            for (int j = 0; j < d; j++) {
                var[c][j] += floor;
            }
        }
        return new GaussianNaiveBayes(logPrior, mean, var);
    }

    /** The most likely label id of each sequence. */
    public int[] predict(float[][][] sequences) {
        int[] out = new int[sequences.length];
        for (int i = 0; i < sequences.length; i++) {
            double[] x = summary(sequences[i]);
            double best = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < logPrior.length; c++) {
                double score = logPrior[c];
                for (int j = 0; j < x.length; j++) {
                    double e = x[j] - mean[c][j];
                    score -= 0.5 * (Math.log(2 * Math.PI * variance[c][j]) + e * e / variance[c][j]);
                }
                if (score > best) {
                    best = score;
                    out[i] = c;
                }
            }
        }
        return out;
    }
}
