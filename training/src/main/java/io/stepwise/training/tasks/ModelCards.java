package io.stepwise.training.tasks;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.io.AtomicFiles;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.tasks.protocol.EventModelProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.LanguageModelProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Model cards ({@code <model>.md} beside each model) and the folder index ({@code README.md}), written from what
 * the model files themselves record: network, data, command, metrics against the baseline, parity figure.
 */
public final class ModelCards {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private ModelCards() {
    }

    /** {@code model.onnx} → {@code model.md}. */
    public static Path cardPath(Path model) {
        String name = model.getFileName().toString();
        String base = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return model.resolveSibling(base + ".md");
    }

    /** One line: the primary metric against the baseline. */
    public static String metricsLine(Map<String, Double> m) {
        if (m.containsKey(LanguageModelProtocol.VAL_BPC)) {
            return String.format(Locale.ROOT, "validation %.3f bpc vs Kneser-Ney %d-gram %.3f bpc",
                    m.get(LanguageModelProtocol.VAL_BPC), LanguageModelProtocol.BASELINE_ORDER,
                    m.getOrDefault(LanguageModelProtocol.BASELINE_BPC, Double.NaN));
        }
        if (m.containsKey(ForecastProtocol.TEST_MASE)) {
            return String.format(Locale.ROOT, "test MASE %.3f (MAE %.3f, RMSE %.3f) vs seasonal naive MASE %.3f "
                            + "(MAE %.3f, RMSE %.3f)", m.get(ForecastProtocol.TEST_MASE),
                    m.get(ForecastProtocol.TEST_MAE), m.get(ForecastProtocol.TEST_RMSE),
                    m.getOrDefault(ForecastProtocol.BASELINE_MASE, Double.NaN),
                    m.getOrDefault(ForecastProtocol.BASELINE_MAE, Double.NaN),
                    m.getOrDefault(ForecastProtocol.BASELINE_RMSE, Double.NaN)) + coverage(m);
        }
        if (m.containsKey(EventModelProtocol.VAL_BITS)) {
            return String.format(Locale.ROOT, "validation %.3f bits per event vs Kneser-Ney %d-gram %.3f",
                    m.get(EventModelProtocol.VAL_BITS), EventModelProtocol.BASELINE_ORDER,
                    m.getOrDefault(EventModelProtocol.BASELINE_BITS, Double.NaN));
        }
        if (m.containsKey(ClassifyProtocol.TEST_ACCURACY)) {
            return String.format(Locale.ROOT, "test accuracy %.2f%% (macro F1 %.3f) vs naive Bayes %.2f%% (macro F1 "
                            + "%.3f)", 100 * m.get(ClassifyProtocol.TEST_ACCURACY),
                    m.getOrDefault(ClassifyProtocol.TEST_MACRO_F1, Double.NaN),
                    100 * m.getOrDefault(ClassifyProtocol.BASELINE_ACCURACY, Double.NaN),
                    m.getOrDefault(ClassifyProtocol.BASELINE_MACRO_F1, Double.NaN));
        }
        return m.toString();
    }

    /**
     * The measured coverage of a forecaster's prediction intervals on its test tail, e.g. {@code ; test values inside
     * the 80 % interval 78.3 %, inside the 95 % interval 93.1 %}; empty for a model without them.
     */
    private static String coverage(Map<String, Double> m) {
        StringBuilder sb = new StringBuilder();
        for (int level : new int[] {80, 95}) {
            Double c = m.get("test_interval_" + level + "_coverage");
            if (c != null && Double.isFinite(c)) {
                sb.append(sb.length() == 0 ? "; test values inside the " : ", inside the ")
                        .append(String.format(Locale.ROOT, "%d %% interval %.1f %%", level, 100 * c));
            }
        }
        return sb.toString();
    }

    /** Writes the card of {@code model} to {@code card} (atomically). */
    public static void writeCard(RecurrentModel model, Path card) throws IOException {
        AtomicFiles.writeString(card, card(model, Path.of(model.source())));
    }

    static String card(RecurrentModel model, Path file) throws IOException {
        ModelInfo info = model.info();
        Map<String, Object> training = info.training();
        Map<String, Double> metrics = info.metrics();
        String name = cardPath(file.getFileName()).toString().replaceAll("\\.md$", "");
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(name).append("\n\n");
        sb.append(describeTask(info)).append("\n\n");
        sb.append("| | |\n|---|---|\n");
        row(sb, "file", "`" + file.getFileName() + "`, " + String.format(Locale.ROOT, "%,d", Files.size(file))
                + " bytes, ONNX (fingerprint " + info.fingerprint() + ")");
        row(sb, "network", info.cell() + ", " + info.layers() + " layer" + (info.layers() == 1 ? "" : "s")
                + ", hidden " + info.hiddenSize() + (info.bidirectional() ? ", bidirectional" : "")
                + (info.isTokenInput() ? ", vocabulary " + info.inputSize() + ", embedding " + info.embeddingSize()
                : ", " + info.inputSize() + " feature(s) per step") + ", " + info.outputSize() + " output(s) "
                + (info.isPerStep() ? "per step" : "from the final state"));
        row(sb, "data", "`" + GSON.toJson(training.get("data")) + "`");
        row(sb, "command", "`" + training.getOrDefault("command", "") + "`");
        row(sb, "training", String.format(Locale.ROOT, "%s of %s epochs (best: epoch %s)%s, %s s, seed %s, %s",
                number(training.get("epochs_completed")), number(training.get("epochs")),
                number(training.get("best_epoch")),
                Boolean.TRUE.equals(training.get("time_limited")) ? ", stopped by --max-minutes" : "",
                training.get("training_seconds"), number(training.get("seed")), training.get("date")));
        row(sb, "hyperparameters", "`" + GSON.toJson(training.get("hyperparameters")) + "`");
        row(sb, "versions", "`" + GSON.toJson(training.get("versions")) + "`");
        info.parity().ifPresent(p -> row(sb, "parity", String.format(Locale.ROOT, "ONNX vs DJL max |diff| %.2e over"
                + " %d cases (tolerance %.0e)", p.maxAbsDiff(), p.cases(), p.tolerance())));
        sb.append("\n## Metrics\n\n").append(metricsLine(metrics)).append(".\n\n");
        intervalsText(info.intervals()).ifPresent(t -> sb.append(t).append("\n\n"));
        info.baseline().ifPresent(b -> sb.append("**Verdict: the model ").append(b.verdict()).append(".**")
                .append(b.beatsBaseline() ? "" : " Use the baseline, or train longer or larger, before relying on "
                        + "this model.").append("\n\n"));
        sb.append("| metric | value |\n|---|---|\n");
        metrics.forEach((k, v) -> sb.append("| ").append(k).append(" | ")
                .append(String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", ""))
                .append(" |\n"));
        Object protocol = evaluationText(info);
        if (protocol != null) {
            sb.append("\n## Evaluation protocol\n\n").append(protocol).append(". `stepwise evaluate ")
                    .append(file.getFileName()).append("` repeats it through the runtime.\n");
        }
        return sb.toString();
    }

    /**
     * How a forecaster's intervals were calibrated, from {@code stepwise.intervals.calibration} (models trained
     * before it was recorded have none).
     */
    static java.util.Optional<String> intervalsText(Map<String, Object> intervals) {
        if (!(intervals.get("calibration") instanceof Map<?, ?> c)) {
            return java.util.Optional.empty();
        }
        StringBuilder sb = new StringBuilder("Prediction intervals: ").append(c.get("quantile"))
                .append(" quantiles of the validation forecasts' ").append(c.get("scores"))
                .append(", from ").append(c.get("validation_errors_per_step")).append(" errors per step")
                .append(c.containsKey("independent_errors_per_step") ? " (" + c.get("independent_errors_per_step")
                        + " counted as independent)" : "");
        if (c.get("extrapolated_levels") instanceof List<?> guessed && !guessed.isEmpty()) {
            sb.append("; too few independent errors for the levels ").append(guessed)
                    .append(", which are extrapolated from the largest error assuming normal tails");
        }
        return java.util.Optional.of(sb.append('.').toString());
    }

    private static Object evaluationText(ModelInfo info) {
        try {
            return ModelEvaluation.protocol(info, "model").get("metric");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String describeTask(ModelInfo info) {
        return switch (info.task()) {
            case LANGUAGE_MODEL -> info.tokenUnit() == io.stepwise.runtime.ModelFormat.TokenUnit.EVENT
                    ? "Next-event model over " + info.vocabulary().size() + " event names (with the unknown and "
                    + "end marks): predicts the next event of a sequence; `EventVocabulary` maps names to ids."
                    : "Character language model: predicts the next character; "
                    + "`stepwise generate` writes text with it.";
            case FORECASTER -> "Forecaster: predicts the next step of " + info.featureNames()
                    + "; multi-step forecasts feed predictions back (`stepwise forecast`).";
            case CLASSIFIER -> "Classifier: " + info.labels().size() + " labels " + info.labels()
                    + " (`stepwise classify`).";
            default -> "Task " + info.task() + ".";
        };
    }

    private static String number(Object value) {
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Long.toString(n.longValue());
        }
        return String.valueOf(value);
    }

    private static void row(StringBuilder sb, String key, String value) {
        sb.append("| ").append(key).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
    }

    /**
     * Writes {@code README.md} in {@code folder}: one table row per model file with its network, primary metric,
     * baseline, parity and size, read from the files themselves.
     */
    public static Path writeIndex(Path folder) throws IOException {
        List<Path> models;
        try (Stream<Path> files = Files.list(folder)) {
            models = files.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
        }
        StringBuilder sb = new StringBuilder("# Default models\n\n");
        sb.append("Made by `stepwise models --out ").append(folder.getFileName()).append("` (or `make models`); "
                + "each has a model card `<name>.md` with its data, command, metrics and parity figure. "
                + "Metrics are on held-out data: validation tail (language models), rolling-origin forecasts over "
                + "the test tail (forecasters), test words (classifiers). `stepwise verify "
                + folder.getFileName() + "` re-measures them through the runtime.\n\n");
        sb.append("| model | task | network | metric | model | baseline | baseline value | beats baseline "
                + "| parity max \\|diff\\| | size | train s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> rows = new ArrayList<>();
        for (Path file : models) {
            try (RecurrentModel model = RecurrentModel.load(file)) {
                ModelInfo info = model.info();
                Map<String, Double> m = info.metrics();
                String[] primary = info.tokenUnit() == io.stepwise.runtime.ModelFormat.TokenUnit.EVENT
                        ? new String[] {"validation bits/event", EventModelProtocol.VAL_BITS, "Kneser-Ney "
                            + EventModelProtocol.BASELINE_ORDER + "-gram", EventModelProtocol.BASELINE_BITS}
                        : switch (info.task()) {
                    case LANGUAGE_MODEL -> new String[] {"validation bpc", LanguageModelProtocol.VAL_BPC,
                        "Kneser-Ney " + LanguageModelProtocol.BASELINE_ORDER + "-gram",
                        LanguageModelProtocol.BASELINE_BPC};
                    case FORECASTER -> new String[] {"test MASE", ForecastProtocol.TEST_MASE,
                        "seasonal naive", ForecastProtocol.BASELINE_MASE};
                    case CLASSIFIER -> new String[] {"test accuracy", ClassifyProtocol.TEST_ACCURACY,
                        "naive Bayes", ClassifyProtocol.BASELINE_ACCURACY};
                    default -> new String[] {"?", "?", "?", "?"};
                };
                String name = file.getFileName().toString().replaceAll("\\.onnx$", "");
                double value = m.getOrDefault(primary[1], Double.NaN);
                double baseline = m.getOrDefault(primary[3], Double.NaN);
                boolean beats = info.baseline().map(ModelInfo.Baseline::beatsBaseline)
                        .orElse(ModelEvaluation.higherIsBetter(primary[1]) ? value > baseline : value < baseline);
                rows.add(String.format(Locale.ROOT, "| [%s](%s.md) | %s | %s ×%d, hidden %d%s | %s | %.4f | %s | "
                                + "%.4f | %s | %s | %,d KB | %s |", name, name, info.task(), info.cell(), info.layers(),
                        info.hiddenSize(), info.bidirectional() ? ", bidir." : "", primary[0], value, primary[2],
                        baseline, Double.isNaN(value) || Double.isNaN(baseline) ? "?" : beats ? "yes" : "**no**",
                        info.parity().map(p -> String.format(Locale.ROOT, "%.1e", p.maxAbsDiff())).orElse("—"),
                        (Files.size(file) + 1023) / 1024, String.format(Locale.ROOT, "%.0f",
                                m.getOrDefault("training_seconds", Double.NaN))));
            }
        }
        rows.forEach(r -> sb.append(r).append('\n'));
        sb.append("\nBaselines: an interpolated Kneser-Ney ").append(LanguageModelProtocol.BASELINE_ORDER)
                .append("-gram model fitted on the same training text (language models); the seasonal-naive "
                        + "forecast from the same origins (forecasters; MASE scaled by its in-sample MAE on the "
                        + "training part); multinomial naive Bayes over character 1-3-grams on the same training "
                        + "words (classifiers). Quality targets: language-ID LSTM and GRU at least 80 % test "
                        + "accuracy; CO2 forecasters MASE below 1; character-LM LSTM and GRU below the n-gram "
                        + "baseline's bits per character. Training times are wall-clock seconds on the machine "
                        + "recorded in each card.\n");
        Path readme = folder.resolve("README.md");
        AtomicFiles.writeString(readme, sb.toString());
        return readme;
    }
}
