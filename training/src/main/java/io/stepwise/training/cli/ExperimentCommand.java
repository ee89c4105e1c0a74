package io.stepwise.training.cli;

import io.stepwise.training.experiments.Experiment;
import io.stepwise.training.experiments.ExperimentContext;
import io.stepwise.training.experiments.ExperimentScale;
import io.stepwise.training.experiments.Experiments;
import io.stepwise.training.experiments.ExperimentsSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stepwise experiment NAME}: measures a textbook claim about recurrent networks and writes
 * {@code NAME.md}, {@code NAME.json} and its PNG plots into the output folder (docs/experiments), refreshing the
 * folder's README.md summary. {@code all} runs every experiment in turn; {@code --list} names them.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Measure a textbook claim (vanishing gradients, gates, truncated BPTT, GRU vs LSTM, CNN vs "
                + "RNN) with fixed budgets and seeds, and write NAME.md, NAME.json and NAME-*.png into the output "
                + "folder. NAME is one of the experiments listed by --list, or all."})
public final class ExperimentCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Experiment to run, or all.")
    String name;
    @Option(names = "--scale", paramLabel = "SCALE", defaultValue = "full",
            description = "full (the committed budgets; default) or quick (a few steps on tiny sizes).")
    String scale;
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "docs/experiments",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--work", paramLabel = "DIR", defaultValue = "build/experiments",
            description = "Scratch folder for training runs (default: ${DEFAULT-VALUE}).")
    Path work;
    @Option(names = "--list", description = "List the experiments and exit.")
    boolean list;
    @Option(names = "--summary", description = "Only rewrite the output folder's README.md from the experiments' "
            + "JSON files there (after runs in parallel).")
    boolean summary;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter output = spec.commandLine().getOut();
        if (list) {
            for (Experiment e : Experiments.all()) {
                output.printf(Locale.ROOT, "%-10s %s%n", e.name(), e.description());
            }
            return 0;
        }
        if (summary) {
            ExperimentsSummary.write(out);
            output.printf(Locale.ROOT, "wrote %s%n", out.resolve("README.md"));
            return 0;
        }
        if (name == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "NAME: expected one of "
                    + String.join(", ", Experiments.names()) + " or all, or --list");
        }
        ExperimentScale chosen;
        try {
            chosen = ExperimentScale.fromId(scale);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scale: expected quick or full but got '"
                    + scale + "'");
        }
        List<Experiment> chosenExperiments = new ArrayList<>();
        if (name.equals("all")) {
            chosenExperiments.addAll(Experiments.all());
        } else if (Experiments.names().contains(name)) {
            chosenExperiments.add(Experiments.byName(name));
        } else {
            throw new CommandLine.ParameterException(spec.commandLine(), "NAME: expected one of "
                    + String.join(", ", Experiments.names()) + " or all but got '" + name + "'");
        }
        ExperimentContext context = new ExperimentContext(chosen, out, work, output);
        for (Experiment e : chosenExperiments) {
            Experiments.run(e, context);
        }
        output.printf(Locale.ROOT, "wrote %s (summary: %s)%n", out, out.resolve("README.md"));
        return 0;
    }
}
