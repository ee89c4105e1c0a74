package io.stepwise.cli;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.classify.Classification;
import io.stepwise.runtime.classify.SequenceClassifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stepwise classify}: labels words with a classifier model. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify each WORD with a classifier model (e.g. word → language); prints the label, its "
                + "probability and the runners-up.")
public final class ClassifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A classifier .onnx file.")
    Path model;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "WORD", description = "Words to classify.")
    List<String> words;
    @Option(names = "--top", defaultValue = "3", description = "Labels shown per word (default 3).")
    int top;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command; exceptions are reported by {@link CliRunner}. */
    @Override
    public Integer call() {
        if (top < 1) {
            throw new IllegalArgumentException("--top: expected ≥ 1 but got " + top);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (RecurrentModel loaded = RecurrentModel.load(model)) {
            SequenceClassifier classifier = new SequenceClassifier(loaded);
            List<Classification> results = classifier.classifyAll(words);
            int width = words.stream().mapToInt(String::length).max().orElse(4);
            for (Classification c : results) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %-12s %5.1f%%",
                        c.text(), c.label(), 100 * c.confidence()));
                List<Classification.LabelProbability> ranking = c.topK(top);
                for (int i = 1; i < ranking.size(); i++) {
                    line.append(String.format(Locale.ROOT, "   %s %.1f%%", ranking.get(i).label(),
                            100 * ranking.get(i).probability()));
                }
                out.println(line);
            }
            return 0;
        }
    }
}
