package io.stepwise.runtime.text;

import io.stepwise.runtime.Logits;
import io.stepwise.runtime.ModelFormat.Task;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.RunLimits;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionSource;
import io.stepwise.runtime.text.GenerationResult.StopReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Generates text with a character-level language model ({@code stepwise.task = language_model}).
 *
 * <p>The prompt is encoded one code point per token ({@link CharTokenizer}: a character outside the vocabulary
 * becomes the model's unknown token, or is refused when it has none), fed in one {@link Session#feed(int[])}
 * call, and then each
 * chosen token is stepped through the model to get the next logits. How tokens are chosen is set by
 * {@link GenerationConfig}: sampling with temperature/top-k/top-p, greedy, or beam search, each with an optional
 * CTRL repetition penalty and stop strings.
 *
 * <pre>{@code
 * try (RecurrentModel model = RecurrentModel.load(Path.of("shakespeare.onnx"))) {
 *     TextGenerator generator = new TextGenerator(model);
 *     GenerationResult r = generator.generate("ROMEO:", GenerationConfig.builder()
 *             .optTemperature(0.8).optTopP(0.95).optSeed(42).optMaxNewTokens(200).optStopStrings("\n\n").build(),
 *             (id, text) -> { System.out.print(text); return true; });
 * }
 * }</pre>
 *
 * <p>Each call opens its own session from the {@link SessionSource} — a {@link RecurrentModel}, or a front that
 * batches many sessions — so one generator may serve several threads at once; it does not own the source, which
 * must stay open while the generator is used.
 */
public final class TextGenerator {
    private final CharTokenizer tokenizer;
    private final Supplier<Session> sessions;
    private final RunLimits limits;

    /**
     * A generator over the sessions of {@code model}.
     *
     * @throws IllegalArgumentException when the model is not a token-input language model with a vocabulary whose
     *                                  size equals its output size
     */
    public TextGenerator(RecurrentModel model) {
        this((SessionSource) Objects.requireNonNull(model, "model"));
    }

    /**
     * A generator over the sessions of {@code source}, e.g. a batching front.
     *
     * @throws IllegalArgumentException when the model is not a token-input language model with a vocabulary whose
     *                                  size equals its output size
     */
    public TextGenerator(SessionSource source) {
        Objects.requireNonNull(source, "source");
        ModelInfo info = source.info();
        if (info.task() != Task.LANGUAGE_MODEL && info.task() != Task.UNKNOWN) {
            throw new IllegalArgumentException("model: TextGenerator needs task " + Task.LANGUAGE_MODEL
                    + " but the model's task is " + info.task());
        }
        if (!info.isTokenInput() || !info.isPerStep()) {
            throw new IllegalArgumentException("model: TextGenerator needs token input and a per_step head but the"
                    + " model has " + info.inputKind() + " input and a " + info.head() + " head");
        }
        this.tokenizer = CharTokenizer.forModel(info);
        if (info.outputSize() != tokenizer.size()) {
            throw new IllegalArgumentException("model: the output has " + info.outputSize()
                    + " logits but the vocabulary has " + tokenizer.size() + " entries");
        }
        this.sessions = source::newSession;
        this.limits = source.runLimits();
    }

    /** For tests: decoding against any session. */
    TextGenerator(CharTokenizer tokenizer, Supplier<Session> sessions) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.limits = RunLimits.defaults();
    }

    /** The vocabulary, index = token id (unmodifiable). */
    public List<String> vocabulary() {
        return tokenizer.vocabulary();
    }

    /**
     * Token ids of {@code text}, one per code point.
     *
     * @throws IllegalArgumentException naming the first character outside the vocabulary and its index, when the
     *                                  model has no unknown token
     */
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    /**
     * The text of {@code ids}.
     *
     * @throws IllegalArgumentException naming an id outside the vocabulary
     */
    public String decode(int... ids) {
        return tokenizer.decode(ids);
    }

    /**
     * Generates a continuation of {@code prompt} without streaming; see
     * {@link #generate(String, GenerationConfig, TokenListener)}.
     */
    public GenerationResult generate(String prompt, GenerationConfig config) {
        return generate(prompt, config, null);
    }

    /**
     * Generates a continuation of {@code prompt}.
     *
     * @param prompt   at least one character: the model needs a token to predict the next from
     * @param config   decoding settings
     * @param listener receives each token as it is generated and may cancel; {@code null} for none. Not available
     *                 with beam search, whose tokens are only final at the end
     * @throws IllegalArgumentException for an empty prompt, a character outside the vocabulary (see
     *                                  {@link #encode}), a listener with beam search, or a generation length or
     *                                  beam width above the source's {@link RunLimits}
     */
    public GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(config, "config");
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("prompt: expected at least one character; the model predicts each"
                    + " token from the one before it");
        }
        RunLimits.check("maxNewTokens", config.maxNewTokens(), limits.maxNewTokens(), "maxNewTokens");
        RunLimits.check("beamWidth", config.beamWidth(), limits.maxBeamWidth(), "maxBeamWidth");
        if (listener != null && config.strategy() == GenerationConfig.Strategy.BEAM_SEARCH) {
            throw new IllegalArgumentException("listener: streaming is not available with beam search, whose tokens"
                    + " are only final when the search ends; pass null");
        }
        int[] promptIds = tokenizer.encode(prompt);
        boolean[] seen = new boolean[tokenizer.size()];
        for (int id : promptIds) {
            seen[id] = true;
        }
        try (Session session = sessions.get()) {
            long start = System.nanoTime();
            float[][] promptOutputs = session.feed(promptIds);
            float[] logits = promptOutputs[promptOutputs.length - 1];
            checkWidth(logits);
            long prefilled = System.nanoTime();
            Duration prefill = Duration.ofNanos(prefilled - start);
            if (config.strategy() == GenerationConfig.Strategy.BEAM_SEARCH) {
                BeamSearch.Outcome o = BeamSearch.run(session, logits, seen, prompt, tokenizer, config);
                return new GenerationResult(o.text(), o.tokens(), o.reason(), Optional.ofNullable(o.stopString()),
                        o.rawLogProbability(), promptIds.length, OptionalLong.empty(), prefill,
                        Duration.ofNanos(System.nanoTime() - prefilled));
            }
            return decode(session, logits, seen, prompt, promptIds.length, config, listener, prefill, prefilled);
        }
    }

    private GenerationResult decode(Session session, float[] logits, boolean[] seen, String prompt, int promptTokens,
                                    GenerationConfig config, TokenListener listener, Duration prefill,
                                    long prefilled) {
        boolean sampling = config.strategy() == GenerationConfig.Strategy.SAMPLING;
        long seed = config.seed().orElseGet(() -> new SplittableRandom().nextLong());
        Sampler sampler = sampling ? new Sampler(config.temperature(), config.topK(), config.topP(), seed) : null;
        List<Integer> tokens = new ArrayList<>();
        StringBuilder generated = new StringBuilder();
        double logProbability = 0;
        StopReason reason = StopReason.MAX_TOKENS;
        String stop = null;
        for (int i = 0; i < config.maxNewTokens(); i++) {
            float[] adjusted = Sampler.penalize(logits, seen, config.repetitionPenalty());
            int token = sampling ? sampler.sample(adjusted) : Logits.argmax(adjusted);
            logProbability += Logits.logSoftmax(logits)[token];
            tokens.add(token);
            seen[token] = true;
            String text = tokenizer.token(token);
            generated.append(text);
            if (listener != null && !listener.onToken(token, text)) {
                reason = StopReason.CANCELLED;
                break;
            }
            stop = matchStop(prompt, generated, config.stopStrings());
            if (stop != null) {
                reason = StopReason.STOP_STRING;
                break;
            }
            if (i + 1 < config.maxNewTokens()) {
                logits = session.step(token);
                checkWidth(logits);
            }
        }
        String text = stop == null ? generated.toString() : trimStop(generated, stop);
        return new GenerationResult(text, tokens.stream().mapToInt(Integer::intValue).toArray(), reason,
                Optional.ofNullable(stop), logProbability, promptTokens,
                sampling ? OptionalLong.of(seed) : OptionalLong.empty(), prefill,
                Duration.ofNanos(System.nanoTime() - prefilled));
    }

    private void checkWidth(float[] logits) {
        if (logits.length != tokenizer.size()) {
            throw new IllegalStateException("model output: expected " + tokenizer.size() + " logits (one per"
                    + " vocabulary entry) but got " + logits.length);
        }
    }

    /**
     * The first stop string (in configuration order) that {@code prompt + generated} ends with, where the match
     * ends inside the generated text; {@code null} for none.
     */
    static String matchStop(String prompt, CharSequence generated, List<String> stopStrings) {
        for (String stop : stopStrings) {
            if (endsWith(prompt, generated, stop)) {
                return stop;
            }
        }
        return null;
    }

    /** {@code generated} without the part of {@code stop} it ends with (a stop may begin in the prompt). */
    static String trimStop(CharSequence generated, String stop) {
        return generated.subSequence(0, Math.max(0, generated.length() - stop.length())).toString();
    }

    private static boolean endsWith(String prompt, CharSequence generated, String stop) {
        int g = generated.length();
        if (g == 0 || stop.length() > prompt.length() + g) {
            return false;
        }
        for (int k = 1; k <= stop.length(); k++) {
            char expected = stop.charAt(stop.length() - k);
            char actual = k <= g ? generated.charAt(g - k) : prompt.charAt(prompt.length() - (k - g));
            if (expected != actual) {
                return false;
            }
        }
        return true;
    }
}
