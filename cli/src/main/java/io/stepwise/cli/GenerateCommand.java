package io.stepwise.cli;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.GenerationResult;
import io.stepwise.runtime.text.TextGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stepwise generate}: text from a character language model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text with a character language model: sampling (temperature, top-k, top-p, seed), "
                + "greedy (--greedy) or beam search (--beam N). The prompt and the continuation go to standard "
                + "output, statistics to standard error."})
public final class GenerateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A language-model .onnx file.")
    Path model;
    @Option(names = "--prompt", required = true, description = "Text to continue (at least one character).")
    String prompt;
    @Option(names = "--max-tokens", defaultValue = "200", description = "Characters to generate (default 200).")
    int maxTokens;
    @Option(names = "--temperature", description = "Sampling temperature > 0 (default 1).")
    Double temperature;
    @Option(names = "--top-k", description = "Sample among the k most likely characters (0 = all).")
    Integer topK;
    @Option(names = "--top-p", description = "Sample within the smallest set of probability ≥ p.")
    Double topP;
    @Option(names = "--seed", description = "Seed for reproducible sampling.")
    Long seed;
    @Option(names = "--greedy", description = "Always take the most likely character.")
    boolean greedy;
    @Option(names = "--beam", description = "Beam search with this many beams.")
    Integer beam;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command; exceptions are reported by {@link CliRunner}. */
    @Override
    public Integer call() {
        if (greedy && beam != null) {
            throw new IllegalArgumentException("--greedy, --beam: choose one decoding strategy, not both");
        }
        GenerationConfig.Builder config = GenerationConfig.builder().optMaxNewTokens(maxTokens);
        if (beam != null) {
            config.optBeamSearch(beam);
        } else if (greedy) {
            config.optGreedy();
        }
        if (temperature != null) {
            config.optTemperature(temperature);
        }
        if (topK != null) {
            config.optTopK(topK);
        }
        if (topP != null) {
            config.optTopP(topP);
        }
        if (seed != null) {
            config.optSeed(seed);
        }
        GenerationConfig built;
        try {
            built = config.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(optionName(e.getMessage()));
        }
        PrintWriter out = spec.commandLine().getOut();
        try (RecurrentModel loaded = RecurrentModel.load(model)) {
            TextGenerator generator = new TextGenerator(loaded);
            out.print(prompt);
            out.flush();
            GenerationResult result = beam != null ? generator.generate(prompt, built)
                    : generator.generate(prompt, built, (id, text) -> {
                        out.print(text);
                        out.flush();
                        return true;
                    });
            if (beam != null) {
                out.print(result.text());
            }
            out.println();
            out.flush();
            spec.commandLine().getErr().printf(Locale.ROOT, "[%d characters, %.0f/s, %s%s]%n",
                    result.generatedTokens(), result.tokensPerSecond(), built.strategy().name().toLowerCase(Locale.ROOT),
                    result.seed().isPresent() ? ", seed " + result.seed().getAsLong() : "");
            return 0;
        }
    }

    /** Maps the runtime's setting names to this command's options. */
    private static String optionName(String message) {
        return message.replaceFirst("^maxNewTokens:", "--max-tokens:").replaceFirst("^temperature:", "--temperature:")
                .replaceFirst("^topK:", "--top-k:").replaceFirst("^topP:", "--top-p:")
                .replaceFirst("^beamWidth:", "--beam:").replaceFirst("^seed:", "--seed:");
    }
}
