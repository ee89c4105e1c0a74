package io.stepwise.runtime.text;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link TextGenerator#generate} produced.
 *
 * @param text           the generated text after the prompt, without the stop string that ended it
 * @param tokenIds       every generated token id, including those that spelled a stop string
 * @param stopReason     why generation ended
 * @param stopString     the stop string that ended generation, if {@link StopReason#STOP_STRING}
 * @param logProbability sum of the model's natural-log probabilities of the generated tokens (raw softmax of the
 *                       logits, before penalty, temperature or filtering)
 * @param promptTokens   tokens fed as the prompt
 * @param seed           the sampler's seed (sampling only): pass it to {@link GenerationConfig.Builder#optSeed}
 *                       to reproduce the text
 * @param prefillTime    time to feed the prompt
 * @param generationTime time to produce the new tokens
 */
public record GenerationResult(
        String text,
        int[] tokenIds,
        StopReason stopReason,
        Optional<String> stopString,
        double logProbability,
        int promptTokens,
        OptionalLong seed,
        Duration prefillTime,
        Duration generationTime) {

    /** Why generation ended. */
    public enum StopReason {
        /** {@link GenerationConfig#maxNewTokens()} tokens were generated. */
        MAX_TOKENS,
        /** The text ended with one of {@link GenerationConfig#stopStrings()}. */
        STOP_STRING,
        /** The {@link TokenListener} returned {@code false}. */
        CANCELLED
    }

    /** Copies the token ids; every other component is required. */
    public GenerationResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(stopString, "stopString");
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(prefillTime, "prefillTime");
        Objects.requireNonNull(generationTime, "generationTime");
        tokenIds = tokenIds.clone();
    }

    /** A copy of the generated token ids. */
    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    /** Number of generated tokens. */
    public int generatedTokens() {
        return tokenIds.length;
    }

    /** Generated tokens per second of generation time (prefill excluded); 0 when nothing was timed. */
    public double tokensPerSecond() {
        long nanos = generationTime.toNanos();
        return nanos <= 0 ? 0 : tokenIds.length * 1e9 / nanos;
    }

    /** Perplexity of the generated tokens under the model: exp(−logProbability / tokens). */
    public double perplexity() {
        return tokenIds.length == 0 ? Double.NaN : Math.exp(-logProbability / tokenIds.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationResult r && text.equals(r.text) && Arrays.equals(tokenIds, r.tokenIds)
                && stopReason == r.stopReason && stopString.equals(r.stopString)
                && Double.compare(logProbability, r.logProbability) == 0 && promptTokens == r.promptTokens
                && seed.equals(r.seed) && prefillTime.equals(r.prefillTime) && generationTime.equals(r.generationTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, Arrays.hashCode(tokenIds), stopReason, stopString, logProbability, promptTokens,
                seed, prefillTime, generationTime);
    }

    @Override
    public String toString() {
        return "GenerationResult{text=\"" + text + "\", tokens=" + tokenIds.length + ", stopReason=" + stopReason
                + stopString.map(s -> ", stopString=\"" + s + "\"").orElse("")
                + ", logProbability=" + logProbability + ", tokensPerSecond=" + String.format("%.1f", tokensPerSecond())
                + '}';
    }
}
