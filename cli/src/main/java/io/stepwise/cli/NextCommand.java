package io.stepwise.cli;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.text.EventVocabulary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stepwise next}: the most likely next events after a sequence, with a next-event model. */
@Command(name = "next", mixinStandardHelpOptions = true,
        description = "Feed the EVENTs (names from the model's vocabulary) to a next-event model "
                + "(stepwise train --task event-model) and print the most likely next events with their probability; "
                + "</s> is the end of the sequence. An unknown name counts as <unk>.")
public final class NextCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A next-event .onnx file.")
    Path model;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "EVENT", description = "The events so far, in order.")
    List<String> events;
    @Option(names = "--top", defaultValue = "5", description = "Next events shown (default 5).")
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
        try (RecurrentModel loaded = RecurrentModel.load(model); Session session = loaded.newSession()) {
            EventVocabulary vocabulary = EventVocabulary.forModel(loaded.info());
            float[][] outputs = session.feed(vocabulary.ids(events));
            for (EventVocabulary.Prediction p : vocabulary.mostLikely(outputs[outputs.length - 1], top)) {
                out.printf(Locale.ROOT, "%-20s %5.1f%%%n", p.event(), 100 * p.probability());
            }
            return 0;
        }
    }
}
