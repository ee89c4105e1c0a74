package io.stepwise.training.cli;

import io.stepwise.runtime.ModelFormat;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.export.ModelExporter;
import io.stepwise.training.export.ParityReport;
import io.stepwise.training.export.ParityVerifier;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stepwise verify}: re-checks every model in a folder. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-check every .onnx model in DIR: it loads in the runtime, its metadata is complete (format,"
                + " task, training provenance, metrics, a passed parity figure), its primary metric re-measured "
                + "through the runtime matches the recorded one within 1 %%, and its parity is proven again: the "
                + "network read back from the file, run by PyTorch through DJL, and the file run by ONNX Runtime "
                + "agree within 1e-5 on random inputs and states. Exit code 1 when any model fails."})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Folder of models.")
    Path folder;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("DIR: no such folder: " + folder);
        }
        List<Path> models;
        try (Stream<Path> files = Files.list(folder)) {
            models = files.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("DIR: " + folder + " holds no .onnx models");
        }
        PrintWriter out = spec.commandLine().getOut();
        ParityVerifier parityVerifier = new ParityVerifier(ModelExporter.builder().build());
        int failed = 0;
        for (Path file : models) {
            List<String> problems = new ArrayList<>();
            List<String> summary = new ArrayList<>();
            boolean loads = false;
            try (RecurrentModel model = RecurrentModel.load(file)) {
                loads = true;
                ModelInfo info = model.info();
                problems.addAll(metadataProblems(info));
                if (problems.isEmpty()) {
                    ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
                    summary.add(String.format(Locale.ROOT, "%s %.4f (recorded %.4f, %.3f %%)",
                            result.metric(), result.measured(), result.recorded(),
                            result.relativeDifferencePercent()));
                    if (!result.matchesRecorded()) {
                        problems.add(result.metric() + " " + result.measured() + " through the runtime differs from "
                                + "the recorded " + result.recorded() + " by more than "
                                + ModelEvaluation.RELATIVE_TOLERANCE_PERCENT + " %");
                    }
                }
            } catch (RuntimeException e) {
                problems.add(StepwiseCli.message(e));
            }
            if (loads) {
                // Independent of the metadata and metric checks, so a model failing those still gets its figure.
                try {
                    ParityReport parity = parityVerifier.verify(file);
                    String figure = parityFigure(parity);
                    summary.add(figure);
                    if (!parity.passed()) {
                        problems.add(figure);
                    }
                } catch (IOException | RuntimeException e) {
                    problems.add("parity re-check failed: " + StepwiseCli.message(e));
                }
            }
            if (problems.isEmpty()) {
                out.printf(Locale.ROOT, "OK   %s: %s%n", file.getFileName(), String.join(", ", summary));
            } else {
                failed++;
                out.printf(Locale.ROOT, "FAIL %s: %s%n", file.getFileName(), String.join("; ", problems));
            }
            out.flush();
        }
        out.printf(Locale.ROOT, "%d of %d models verified%n", models.size() - failed, models.size());
        return failed == 0 ? 0 : StepwiseCli.FAILURE;
    }

    /** E.g. {@code parity 3.1e-06 ≤ 1e-05 over 6 cases}, with {@code >} when it fails. */
    static String parityFigure(ParityReport parity) {
        return String.format(Locale.ROOT, "parity %.1e %s %.0e over %d cases", parity.maxAbsDiff(),
                parity.passed() ? "≤" : ">", parity.tolerance(), parity.cases());
    }

    /** What a Stepwise model file must record; empty when complete. */
    static List<String> metadataProblems(ModelInfo info) {
        List<String> problems = new ArrayList<>();
        if (info.formatVersion() < ModelFormat.OLDEST_VERSION || info.formatVersion() > ModelFormat.VERSION) {
            problems.add("stepwise.format is " + info.formatVersion() + ", expected " + ModelFormat.OLDEST_VERSION
                    + " to " + ModelFormat.VERSION);
        }
        TaskKind task;
        try {
            task = ModelEvaluation.taskOf(info);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return problems;
        }
        if (info.parity().isEmpty()) {
            problems.add("no stepwise.parity figure");
        } else if (!(info.parity().get().maxAbsDiff() <= info.parity().get().tolerance())) {
            problems.add("recorded parity " + info.parity().get().maxAbsDiff() + " exceeds its tolerance "
                    + info.parity().get().tolerance());
        }
        for (String key : List.of("command", "data", "seed", "epochs", "versions", "date")) {
            if (!info.training().containsKey(key)) {
                problems.add("stepwise.training lacks '" + key + "'");
            }
        }
        if (!info.metrics().containsKey(ModelEvaluation.primaryMetric(task))) {
            problems.add("stepwise.metrics lacks '" + ModelEvaluation.primaryMetric(task) + "'");
        }
        if (!info.metadata().containsKey(ModelEvaluation.EVALUATION_PROPERTY)) {
            problems.add("no " + ModelEvaluation.EVALUATION_PROPERTY + " protocol");
        }
        switch (task) {
            case LANGUAGE_MODEL, EVENT_MODEL -> {
                if (info.vocabulary().size() != info.inputSize() || info.outputSize() != info.inputSize()) {
                    problems.add("vocabulary of " + info.vocabulary().size() + " does not fit input "
                            + info.inputSize() + " / output " + info.outputSize());
                }
            }
            case FORECAST -> {
                if (info.scaling().isEmpty() || info.featureNames().size() != info.inputSize()) {
                    problems.add("a forecaster needs stepwise.scaling and one feature name per input");
                }
            }
            case CLASSIFY -> {
                if (info.labels().size() != info.outputSize()) {
                    problems.add(info.labels().size() + " labels for " + info.outputSize() + " outputs");
                }
            }
            default -> { }
        }
        return problems;
    }
}
