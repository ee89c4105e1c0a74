package io.stepwise.training.data;

import java.util.List;

/**
 * Counts of (actual, predicted) label pairs. Row = actual class, column = predicted class.
 *
 * <p>Precision of class c = correct c / predicted c; recall = correct c / actual c; F1 = their harmonic mean.
 * A class never predicted (or never present) has precision (recall) 0 by convention, as in scikit-learn's
 * {@code zero_division=0}.
 */
public final class ConfusionMatrix {
    private final List<String> labels;
    private final long[][] counts;

    /** An empty matrix over these labels. */
    public ConfusionMatrix(List<String> labels) {
        if (labels == null || labels.size() < 2) {
            throw new IllegalArgumentException("labels: expected at least 2 labels but got " + labels);
        }
        this.labels = List.copyOf(labels);
        this.counts = new long[labels.size()][labels.size()];
    }

    /** A matrix filled from parallel label arrays. */
    public static ConfusionMatrix of(List<String> labels, int[] actual, int[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException("actual/predicted: expected equal lengths but got " + actual.length
                    + "/" + predicted.length);
        }
        ConfusionMatrix m = new ConfusionMatrix(labels);
        for (int i = 0; i < actual.length; i++) {
            m.add(actual[i], predicted[i]);
        }
        return m;
    }

    /** Records one prediction. */
    public void add(int actual, int predicted) {
        checkLabel(actual, "actual");
        checkLabel(predicted, "predicted");
        counts[actual][predicted]++;
    }

    public List<String> labels() {
        return labels;
    }

    public int size() {
        return labels.size();
    }

    public long count(int actual, int predicted) {
        checkLabel(actual, "actual");
        checkLabel(predicted, "predicted");
        return counts[actual][predicted];
    }

    /** A copy of the counts, [actual][predicted]. */
    public long[][] counts() {
        long[][] out = new long[counts.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts[i].clone();
        }
        return out;
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    /** Correct / total (0 for an empty matrix). */
    public double accuracy() {
        long total = total();
        if (total == 0) {
            return 0;
        }
        long correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        return (double) correct / total;
    }

    public double precision(int label) {
        checkLabel(label, "label");
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[label];
        }
        return predicted == 0 ? 0 : (double) counts[label][label] / predicted;
    }

    public double recall(int label) {
        checkLabel(label, "label");
        long actual = 0;
        for (long c : counts[label]) {
            actual += c;
        }
        return actual == 0 ? 0 : (double) counts[label][label] / actual;
    }

    public double f1(int label) {
        double p = precision(label);
        double r = recall(label);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Unweighted mean of the per-class F1. */
    public double macroF1() {
        double sum = 0;
        for (int c = 0; c < size(); c++) {
            sum += f1(c);
        }
        return sum / size();
    }

    /** Row-normalised shares: entry [a][p] = count / actual count of a (0 for an empty row). */
    public double[][] rowShares() {
        double[][] out = new double[size()][size()];
        for (int a = 0; a < size(); a++) {
            long rowTotal = 0;
            for (long c : counts[a]) {
                rowTotal += c;
            }
            for (int p = 0; p < size(); p++) {
                out[a][p] = rowTotal == 0 ? 0 : (double) counts[a][p] / rowTotal;
            }
        }
        return out;
    }

    /** Shortest prefix length (≥ 3) that tells all labels apart, for compact column headers. */
    String[] shortLabels() {
        int longest = labels.stream().mapToInt(String::length).max().orElse(1);
        for (int k = Math.min(3, longest); k <= longest; k++) {
            final int len = k;
            List<String> cut = labels.stream().map(s -> s.length() <= len ? s : s.substring(0, len)).toList();
            if (cut.stream().distinct().count() == cut.size()) {
                return cut.toArray(new String[0]);
            }
        }
        return labels.toArray(new String[0]);
    }

    /**
     * A text table: one row per actual class with its counts per predicted class (columns headed by short
     * label prefixes), then the class's precision, recall and F1; accuracy and macro F1 at the end.
     */
    public String render() {
        String[] shorts = shortLabels();
        int nameWidth = Math.max(6, labels.stream().mapToInt(String::length).max().orElse(6));
        int cellWidth = 1;
        for (String s : shorts) {
            cellWidth = Math.max(cellWidth, s.length());
        }
        for (long[] row : counts) {
            for (long c : row) {
                cellWidth = Math.max(cellWidth, Long.toString(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-" + nameWidth + "s", "actual"));
        for (String s : shorts) {
            sb.append(' ').append(String.format("%" + cellWidth + "s", s));
        }
        sb.append("   prec  recall     f1\n");
        for (int a = 0; a < size(); a++) {
            sb.append(String.format("%-" + nameWidth + "s", labels.get(a)));
            for (int p = 0; p < size(); p++) {
                sb.append(' ').append(String.format("%" + cellWidth + "d", counts[a][p]));
            }
            sb.append(String.format("  %5.3f   %5.3f  %5.3f%n", precision(a), recall(a), f1(a)));
        }
        sb.append(String.format("accuracy %.4f (%d of %d), macro F1 %.4f%n", accuracy(),
                Math.round(accuracy() * total()), total(), macroF1()));
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    private void checkLabel(int label, String name) {
        if (label < 0 || label >= size()) {
            throw new IllegalArgumentException(name + ": expected a label index in 0.." + (size() - 1) + " but got "
                    + label);
        }
    }
}
