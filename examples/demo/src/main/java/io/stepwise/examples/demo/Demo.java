package io.stepwise.examples.demo;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepwiseException;
import io.stepwise.runtime.classify.Classification;
import io.stepwise.runtime.classify.SequenceClassifier;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.GenerationResult;
import io.stepwise.runtime.text.TextGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The main job ({@code make demo}): every default model in a folder, run with the runtime jar alone — text
 * generated token by token, a CO2 forecast, words classified by language.
 *
 * <p>Usage: {@code Demo [models-dir] [co2-csv]}; defaults {@code models} and
 * {@code data/timeseries/co2_weekly.csv}.
 */
public final class Demo {
    private static final List<String> WORDS = List.of(
            "window", "fenster", "fenêtre", "finestra", "ventana", "janela", "raam", "fönster", "okno",
            "vindue", "finestres", "breakfast", "mañana", "ijsbeer", "hvordan", "przyjaciel");

    private Demo() {
    }

    /** Runs the demo: {@code [models-dir] [co2-csv]}. */
    public static void main(String[] args) throws IOException {
        Path models = Path.of(args.length > 0 ? args[0] : "models");
        Path co2 = Path.of(args.length > 1 ? args[1] : "data/timeseries/co2_weekly.csv");
        if (!Files.isDirectory(models)) {
            System.err.println("demo: models folder '" + models + "' not found; run it from the project root"
                    + " or pass the folder as the first argument (make models trains the defaults)");
            System.exit(2);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(models)) {
            files = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        if (files.isEmpty()) {
            System.err.println("demo: no .onnx models in '" + models + "'; make models trains the defaults");
            System.exit(2);
        }
        long start = System.nanoTime();
        for (Path file : files) {
            try (RecurrentModel model = RecurrentModel.load(file)) {
                ModelInfo info = model.info();
                System.out.printf(Locale.ROOT, "%n=== %s  (%s, %s, %d layer(s) × %d)%n", file.getFileName(),
                        info.task(), info.cell(), info.layers(), info.hiddenSize());
                switch (info.task()) {
                    case LANGUAGE_MODEL -> generate(model);
                    case FORECASTER -> forecast(model, co2);
                    case CLASSIFIER -> classify(model);
                    default -> System.out.println("(no demo for task " + info.task() + ")");
                }
            } catch (StepwiseException e) {
                System.err.println("demo: " + e.getMessage());
                System.exit(1);
            }
        }
        System.out.printf(Locale.ROOT, "%nDemo done: %d models in %.1f s%n", files.size(),
                (System.nanoTime() - start) / 1e9);
    }

    /** Streams sampled text as each token is produced, then shows the greedy continuation. */
    private static void generate(RecurrentModel model) {
        TextGenerator generator = new TextGenerator(model);
        String prompt = "The Commission ";
        GenerationConfig sampling = GenerationConfig.builder().optSampling().optTemperature(0.7).optTopK(20)
                .optSeed(7).optMaxNewTokens(160).build();
        System.out.print("sampled: " + prompt);
        GenerationResult r = generator.generate(prompt, sampling, (id, text) -> {
            System.out.print(text);
            System.out.flush();
            return true;
        });
        System.out.printf(Locale.ROOT, "%n  (%d tokens, %.0f tokens/s, seed %d)%n", r.generatedTokens(),
                r.tokensPerSecond(), r.seed().orElse(-1));
        GenerationResult greedy = generator.generate(prompt, GenerationConfig.greedy(80));
        System.out.println("greedy:  " + prompt + greedy.text().replace('\n', ' '));
    }

    private static void forecast(RecurrentModel model, Path csv) throws IOException {
        Forecaster forecaster = new Forecaster(model);
        if (forecaster.featureCount() != 1) {
            System.out.println("(the demo forecasts single-series models; this one reads "
                    + forecaster.featureCount() + " features)");
            return;
        }
        if (!Files.isRegularFile(csv)) {
            System.out.println("(no history: '" + csv + "' not found)");
            return;
        }
        List<String[]> rows = readCsv(csv);
        int history = Math.min(rows.size() - 1, 3 * 52);
        int horizon = forecaster.defaultHorizon().orElse(52);
        double[] values = new double[history];
        List<String[]> tail = rows.subList(rows.size() - history, rows.size());
        for (int i = 0; i < history; i++) {
            String cell = tail.get(i)[tail.get(i).length - 1].trim();
            values[i] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
        }
        Forecast f = forecaster.forecast(values, horizon);
        System.out.printf(Locale.ROOT, "history: %d weeks up to %s (last %.2f), %d gap(s) interpolated%n",
                history, tail.get(history - 1)[0], values[history - 1], f.filledValues());
        StringBuilder line = new StringBuilder("forecast:");
        for (int step = 1; step <= horizon; step++) {
            if (step <= 4 || step % 13 == 0) {
                line.append(String.format(Locale.ROOT, "  +%dw %.2f", step, f.value(step, 0)));
            }
        }
        System.out.println(line);
    }

    private static void classify(RecurrentModel model) {
        SequenceClassifier classifier = new SequenceClassifier(model);
        for (Classification c : classifier.classifyAll(WORDS)) {
            System.out.printf(Locale.ROOT, "  %-12s → %-11s %5.1f%%   (then %s)%n", c.text(), c.label(),
                    100 * c.confidence(), c.topK(2).get(1).label());
        }
    }

    private static List<String[]> readCsv(Path csv) throws IOException {
        List<String[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(lines.get(i).split(",", -1));
            }
        }
        return rows;
    }
}
