package io.stepwise.runtime;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders a {@link ModelInfo} as the readable multi-line text that {@code stepwise inspect} prints: one
 * {@code key: value} line per fact (format, task, network, input, output, graph interface, fingerprint, then
 * vocabulary, labels, features, scaling, forecast settings, metrics, the verdict against the baseline, parity and
 * training provenance where present),
 * long lists shortened to their first 40 entries, control characters escaped, and every metadata key the format
 * does not define listed at the end.
 */
public final class ModelInfoRenderer {
    private static final int PREVIEW = 40;
    private static final Set<String> KNOWN_KEYS = known();

    private ModelInfoRenderer() {
    }

    /** The description of {@code info}; every line ends with a line separator. */
    public static String render(ModelInfo info) {
        StringBuilder sb = new StringBuilder();
        line(sb, "format", info.formatVersion() == 0 ? "(bound by signature)" : Integer.toString(info.formatVersion()));
        line(sb, "task", info.task().toString());
        line(sb, "network", info.cell() + " × " + info.layers() + " layer" + (info.layers() == 1 ? "" : "s")
                + ", hidden " + info.hiddenSize() + (info.bidirectional() ? ", bidirectional" : ""));
        line(sb, "input", info.isTokenInput()
                ? (info.tokenUnit() == ModelFormat.TokenUnit.EVENT ? "events" : "tokens") + ", vocabulary "
                        + (info.inputSize() > 0 ? info.inputSize() : "?")
                        + (info.embeddingSize() > 0 ? ", embedding " + info.embeddingSize() : "")
                : "features, " + info.inputSize() + " per step");
        line(sb, "output", info.outputSize() + " " + (info.isPerStep() ? "per step" : "from the final state"));
        line(sb, "graph", info.inputName() + " + " + info.stateInputs() + " → " + info.outputName() + " + "
                + info.stateOutputs());
        line(sb, "fingerprint", info.fingerprint());
        if (!info.vocabulary().isEmpty()) {
            line(sb, "vocabulary", preview(info.vocabulary()));
        }
        info.unknownToken().ifPresent(u -> line(sb, "unknown token", Integer.toString(u)));
        if (!info.labels().isEmpty()) {
            line(sb, "labels", preview(info.labels()));
        }
        if (!info.featureNames().isEmpty()) {
            line(sb, "features", preview(info.featureNames()));
        }
        if (!info.targetNames().isEmpty()) {
            line(sb, "targets", preview(info.targetNames()));
        }
        info.scaling().ifPresent(s -> line(sb, "scaling", s.toString()));
        if (!info.forecast().isEmpty()) {
            line(sb, "forecast", info.forecast().toString());
        }
        info.frequency().ifPresent(f -> line(sb, "frequency", f));
        if (!info.series().isEmpty() && info.series().get("keys") instanceof List<?> keys) {
            line(sb, "series", keys.size() + " in column '" + info.series().get("column") + "', each scaled its own "
                    + "way: " + preview(keys.stream().map(String::valueOf).toList()));
        }
        if (!info.intervals().isEmpty()) {
            line(sb, "intervals", info.intervals().get("levels") + " (" + info.intervals().get("method")
                    + calibration(info.intervals().get("calibration")) + ")");
        }
        if (!info.metrics().isEmpty()) {
            line(sb, "metrics", info.metrics().toString());
        }
        info.baseline().ifPresent(b -> line(sb, "baseline", b.verdict()));
        info.parity().ifPresent(p -> line(sb, "parity", String.format(Locale.ROOT,
                "max |diff| %.3g (tolerance %.3g, %d cases)", p.maxAbsDiff(), p.tolerance(), p.cases())));
        if (!info.training().isEmpty()) {
            line(sb, "training", "");
            new TreeMap<>(info.training()).forEach((k, v) -> sb.append("    ").append(k).append(": ").append(v)
                    .append('\n'));
        }
        Map<String, String> other = new TreeMap<>();
        info.metadata().forEach((k, v) -> {
            if (!KNOWN_KEYS.contains(k)) {
                other.put(k, v);
            }
        });
        if (!other.isEmpty()) {
            line(sb, "other metadata", "");
            other.forEach((k, v) -> sb.append("    ").append(k).append(" = ").append(v).append('\n'));
        }
        return sb.toString();
    }

    private static Set<String> known() {
        Set<String> keys = new HashSet<>(ModelFormat.STRUCTURAL_KEYS);
        keys.addAll(ModelFormat.TASK_LEVEL_KEYS);
        return Set.copyOf(keys);
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "%-14s %s%n", key + ":", value));
    }

    private static String preview(List<String> values) {
        int shown = Math.min(values.size(), PREVIEW);
        StringBuilder sb = new StringBuilder().append(values.size()).append(" [");
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(printable(values.get(i)));
        }
        return sb.append(values.size() > shown ? ", …]" : "]").toString();
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\'' -> sb.append("\\'");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('\'').toString();
    }

    /**
     * e.g. {@code , split_conformal on 13 validation errors per step, extrapolated [0.95]}; empty for a model that
     * does not record how its intervals were calibrated.
     */
    private static String calibration(Object calibration) {
        if (!(calibration instanceof Map<?, ?> c)) {
            return "";
        }
        StringBuilder sb = new StringBuilder(", ").append(c.get("quantile"));
        if (c.get("validation_errors_per_step") instanceof List<?> counts && !counts.isEmpty()) {
            long fewest = counts.stream().mapToLong(n -> n instanceof Number x ? x.longValue() : 0).min().orElse(0);
            sb.append(" on ").append(fewest).append(counts.stream().distinct().count() > 1 ? "+" : "")
                    .append(" validation errors per step");
        }
        if (c.get("extrapolated_levels") instanceof List<?> guessed && !guessed.isEmpty()) {
            sb.append(", extrapolated ").append(guessed);
        }
        return sb.toString();
    }
}
