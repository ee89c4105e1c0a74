package io.stepwise.training.cli;

import io.stepwise.runtime.ModelFormat;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.evaluation.BaselineVerdict;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stepwise evaluate}: re-measures an exported model through the runtime and checks the recorded metric. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Run an exported model through the runtime (ONNX Runtime) on its held-out data, with the "
                + "protocol recorded in the model, and check the metric against the one recorded at training time "
                + "(must agree within 1 %%; exit code 1 otherwise)."})
public final class EvaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model.")
    Path model;
    @Option(names = "--data", description = "Another location of the model's data (file or folder).")
    Path data;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (RecurrentModel loaded = RecurrentModel.load(model)) {
            ModelEvaluation.Result result = ModelEvaluation.evaluate(loaded, data);
            result.metrics().forEach((k, v) -> out.printf(Locale.ROOT, "%-14s %.4f%n", k, v));
            boolean ok = report(out, model.toString(), result);
            verdict(loaded.info(), result).ifPresent(v -> out.printf(Locale.ROOT, "%s: the model %s%n", model,
                    v.sentence()));
            return ok ? 0 : StepwiseCli.FAILURE;
        }
    }

    /**
     * The verdict of the value measured through the runtime against the baseline value recorded at training time
     * (the baseline does not depend on the network, so it is not measured again).
     */
    static Optional<BaselineVerdict> verdict(ModelInfo info, ModelEvaluation.Result result) {
        Optional<BaselineVerdict> recorded = info.metadataObject(ModelFormat.BASELINE).map(BaselineVerdict::fromMap)
                .or(() -> BaselineVerdict.fromMetrics(info.metrics()));
        return recorded.filter(v -> v.metric().equals(result.metric())).map(v -> new BaselineVerdict(v.metric(),
                v.label(), result.measured(), v.baseline(), v.baselineValue(), v.higherIsBetter(), v.unit()));
    }

    /** Prints the comparison with the recorded metric; returns whether it is within tolerance. */
    static boolean report(PrintWriter out, String name, ModelEvaluation.Result result) {
        if (Double.isNaN(result.recorded())) {
            out.printf(Locale.ROOT, "%s: %s %.4f through the runtime; the model records no %s to compare%n", name,
                    result.metric(), result.measured(), result.metric());
            return false;
        }
        boolean ok = result.matchesRecorded();
        out.printf(Locale.ROOT, "%s: %s %.4f through the runtime, %.4f recorded at training: difference %.3f %% "
                        + "(%s %.0f %%)%n", name, result.metric(), result.measured(), result.recorded(),
                result.relativeDifferencePercent(), ok ? "within" : "MORE THAN",
                ModelEvaluation.RELATIVE_TOLERANCE_PERCENT);
        return ok;
    }
}
