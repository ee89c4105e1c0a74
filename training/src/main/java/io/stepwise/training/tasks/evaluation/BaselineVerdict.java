package io.stepwise.training.tasks.evaluation;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict on a model against its baseline on one held-out metric: does it beat it, and by how much.
 *
 * <p>One class for every task, so that {@code train}, {@code evaluate}, the model card and {@code inspect} say the
 * same thing in the same words. Baselines: an interpolated Kneser-Ney n-gram model (language models, bits per
 * token, lower is better), multinomial naive Bayes (classifiers, test accuracy, higher is better), seasonal naive
 * (forecasters, MASE, lower is better). A model that only ties its baseline does not beat it; a value that is not a
 * finite number gives {@link Outcome#UNKNOWN}, never a win.
 *
 * <p>The verdict travels in the model file as the JSON object of {@code stepwise.baseline} ({@link #toMap()}),
 * whose {@code "verdict"} entry is {@link #sentence()}, so the PyTorch-free runtime can show it without this
 * class.
 *
 * @param metric         the metric's key in the model's metrics, e.g. {@code test_accuracy}
 * @param label          the metric in words, e.g. {@code test accuracy}
 * @param value          the model's value
 * @param baseline       the baseline in words, e.g. {@code naive Bayes}
 * @param baselineValue  the baseline's value on the same data
 * @param higherIsBetter whether a larger value is better
 * @param unit           how values are shown
 */
public record BaselineVerdict(String metric, String label, double value, String baseline, double baselineValue,
                              boolean higherIsBetter, Unit unit) {
    /** Metadata key (without the {@code stepwise.} prefix) under which the verdict is stored. */
    public static final String KEY = "baseline";

    /** The outcome of the comparison. */
    public enum Outcome {
        /** Strictly better than the baseline. */
        BEATS("beats"),
        /** Exactly as good: not a win. */
        TIES("ties"),
        /** Worse than the baseline. */
        LOSES("loses"),
        /** A value is missing or not finite. */
        UNKNOWN("unknown");

        private final String id;

        Outcome(String id) {
            this.id = id;
        }

        /** The name stored in the metadata, e.g. {@code beats}. */
        public String id() {
            return id;
        }

        /** The outcome stored as {@code id}. */
        public static Outcome fromId(String id) {
            for (Outcome o : values()) {
                if (o.id.equals(id)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("outcome: expected beats, ties, loses or unknown but got '" + id + "'");
        }
    }

    /** How the values of a metric read. */
    public enum Unit {
        /** A fraction shown as a percentage, e.g. accuracy 0.912 → 91.20 %. */
        PERCENT,
        /** Bits per token, three decimals. */
        BITS,
        /** A plain number, three decimals (e.g. MASE). */
        PLAIN
    }

    public BaselineVerdict {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(unit, "unit");
    }

    /** The comparison's outcome. */
    public Outcome outcome() {
        if (!Double.isFinite(value) || !Double.isFinite(baselineValue)) {
            return Outcome.UNKNOWN;
        }
        int c = Double.compare(value, baselineValue);
        if (c == 0) {
            return Outcome.TIES;
        }
        return (c > 0) == higherIsBetter ? Outcome.BEATS : Outcome.LOSES;
    }

    /** Whether the model is strictly better than its baseline. */
    public boolean beatsBaseline() {
        return outcome() == Outcome.BEATS;
    }

    /**
     * How much better than the baseline, in percent of the baseline's value (negative = worse): for a lower-is-better
     * metric {@code (baseline − value) / baseline}, otherwise {@code (value − baseline) / baseline}. NaN when unknown
     * or the baseline is 0.
     */
    public double improvementPercent() {
        if (outcome() == Outcome.UNKNOWN || baselineValue == 0) {
            return Double.NaN;
        }
        double diff = higherIsBetter ? value - baselineValue : baselineValue - value;
        return diff / Math.abs(baselineValue) * 100;
    }

    /**
     * One plain sentence, e.g. {@code beats its baseline: test accuracy 91.20 % vs naive Bayes 88.00 % (3.6 %
     * better)} or {@code DOES NOT BEAT its baseline: test MASE 0.879 vs seasonal naive 0.434 (102.5 % worse)}.
     */
    public String sentence() {
        String values = label + " " + format(value) + " vs " + baseline + " " + format(baselineValue);
        return switch (outcome()) {
            case BEATS -> String.format(Locale.ROOT, "beats its baseline: %s (%.1f %% better)", values,
                    improvementPercent());
            case TIES -> "DOES NOT BEAT its baseline (a tie): " + values;
            case LOSES -> String.format(Locale.ROOT, "DOES NOT BEAT its baseline: %s (%.1f %% worse)", values,
                    -improvementPercent());
            case UNKNOWN -> "verdict unknown (a value is missing or not a number): " + values;
        };
    }

    /** A value of this metric as shown, e.g. {@code 91.20 %}, {@code 2.113 bits}, {@code 0.879}. */
    public String format(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return switch (unit) {
            case PERCENT -> String.format(Locale.ROOT, "%.2f %%", 100 * v);
            case BITS -> String.format(Locale.ROOT, "%.3f bits", v);
            case PLAIN -> String.format(Locale.ROOT, "%.3f", v);
        };
    }

    /** The JSON object stored under {@code stepwise.baseline}; {@link #fromMap} reads it back. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", metric);
        m.put("label", label);
        m.put("value", finiteOrNull(value));
        m.put("baseline", baseline);
        m.put("baseline_value", finiteOrNull(baselineValue));
        m.put("higher_is_better", higherIsBetter);
        m.put("unit", unit.name().toLowerCase(Locale.ROOT));
        m.put("outcome", outcome().id());
        m.put("verdict", sentence());
        return m;
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * Reads a verdict stored by {@link #toMap()}.
     *
     * @throws IllegalArgumentException naming the entry that is missing or of the wrong type
     */
    public static BaselineVerdict fromMap(Map<String, ?> m) {
        Objects.requireNonNull(m, "m");
        return new BaselineVerdict(string(m, "metric"), string(m, "label"), number(m, "value"),
                string(m, "baseline"), number(m, "baseline_value"), bool(m, "higher_is_better"),
                Unit.valueOf(string(m, "unit").toUpperCase(Locale.ROOT)));
    }

    private static String string(Map<String, ?> m, String key) {
        if (m.get(key) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(KEY + "." + key + ": expected a string but got " + m.get(key));
    }

    private static double number(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(KEY + "." + key + ": expected a number but got " + v);
    }

    private static boolean bool(Map<String, ?> m, String key) {
        if (m.get(key) instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(KEY + "." + key + ": expected true or false but got " + m.get(key));
    }

    /** Test accuracy (higher is better) against {@code baseline}. */
    public static BaselineVerdict accuracy(String metric, double value, String baseline, double baselineValue) {
        return new BaselineVerdict(metric, "test accuracy", value, baseline, baselineValue, true, Unit.PERCENT);
    }

    /** Bits per token (lower is better) against {@code baseline}. */
    public static BaselineVerdict bits(String metric, String label, double value, String baseline,
                                       double baselineValue) {
        return new BaselineVerdict(metric, label, value, baseline, baselineValue, false, Unit.BITS);
    }

    /** MASE (lower is better) against {@code baseline}, e.g. seasonal naive. */
    public static BaselineVerdict mase(String metric, double value, String baseline, double baselineValue) {
        return new BaselineVerdict(metric, "test MASE", value, baseline, baselineValue, false, Unit.PLAIN);
    }

    /**
     * The verdict of a model's metrics when they hold a known primary metric and its baseline: {@code val_bpc} vs
     * {@code baseline_kn*_bpc}, {@code val_bits_per_event} vs {@code baseline_kn*_bits_per_event}, {@code test_mase} vs {@code baseline_snaive_mase}, {@code test_accuracy} vs
     * {@code baseline_naive_bayes_accuracy}. Empty for any other set of metrics.
     */
    public static Optional<BaselineVerdict> fromMetrics(Map<String, Double> metrics) {
        Objects.requireNonNull(metrics, "metrics");
        if (metrics.containsKey("val_bpc")) {
            return metrics.keySet().stream().filter(k -> k.matches("baseline_kn\\d+_bpc")).findFirst()
                    .map(k -> bits("val_bpc", "validation bits per character", metrics.get("val_bpc"),
                            "Kneser-Ney " + k.replaceAll("\\D", "") + "-gram", metrics.get(k)));
        }
        if (metrics.containsKey("val_bits_per_event")) {
            return metrics.keySet().stream().filter(k -> k.matches("baseline_kn\\d+_bits_per_event")).findFirst()
                    .map(k -> bits("val_bits_per_event", "validation bits per event", metrics.get("val_bits_per_event"),
                            "Kneser-Ney " + k.replaceAll("\\D", "") + "-gram", metrics.get(k)));
        }
        if (metrics.containsKey("test_mase") && metrics.containsKey("baseline_snaive_mase")) {
            return Optional.of(mase("test_mase", metrics.get("test_mase"), "seasonal naive",
                    metrics.get("baseline_snaive_mase")));
        }
        if (metrics.containsKey("test_accuracy") && metrics.containsKey("baseline_naive_bayes_accuracy")) {
            return Optional.of(accuracy("test_accuracy", metrics.get("test_accuracy"), "naive Bayes",
                    metrics.get("baseline_naive_bayes_accuracy")));
        }
        return Optional.empty();
    }
}
