package io.stepwise.cli;

import io.stepwise.runtime.ModelInfoRenderer;
import io.stepwise.runtime.RecurrentModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stepwise inspect}: what a model file holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show what a model file holds: task, network, graph interface, vocabulary or labels, scaling, "
                + "forecast settings, training provenance, metrics and parity.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model.")
    Path model;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command; exceptions are reported by {@link CliRunner}. */
    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (RecurrentModel loaded = RecurrentModel.load(model)) {
            String text = ModelInfoRenderer.render(loaded.info());
            out.printf(Locale.ROOT, "%s (%,d bytes)%n", model, Files.size(model));
            out.print(text);
            if (!text.endsWith("\n")) {
                out.println();
            }
            return 0;
        }
    }
}
