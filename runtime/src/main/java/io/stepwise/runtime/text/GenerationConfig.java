package io.stepwise.runtime.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How {@link TextGenerator} picks tokens. Immutable; build with {@link #builder()}. Every setting is optional.
 *
 * <p>Strategies:
 * <ul>
 *   <li>{@link Strategy#SAMPLING} (default): logits → repetition penalty → ÷ temperature → top-k → top-p →
 *       softmax → one draw from a {@link java.util.SplittableRandom} seeded with {@link #seed()} (same seed,
 *       model and prompt → same text).</li>
 *   <li>{@link Strategy#GREEDY}: the highest-scoring token after the repetition penalty (lowest id on ties).</li>
 *   <li>{@link Strategy#BEAM_SEARCH}: keeps the {@link #beamWidth()} best partial sequences by summed
 *       log-probability and returns the best finished one, scored as {@code sum log p / length^lengthPenalty}.
 *       Deterministic.</li>
 * </ul>
 * Sampling-only settings (temperature, top-k, top-p, seed) and the beam-only length penalty are rejected by
 * {@link Builder#build()} when combined with another strategy, so a configuration never silently ignores a setting.
 *
 * <p>Stop strings: generation stops as soon as the text (prompt included) ends with one of them; the stop string
 * is not part of {@link GenerationResult#text()}, but the tokens that spelled it are in
 * {@link GenerationResult#tokenIds()} and were passed to the {@link TokenListener}.
 */
public final class GenerationConfig {
    /** Default {@link #maxNewTokens()}. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 128;

    /** How the next token is chosen. */
    public enum Strategy {
        /** Draw from the filtered distribution (temperature, top-k, top-p, seed). The default. */
        SAMPLING,
        /** Always the most likely token after the repetition penalty. */
        GREEDY,
        /** Keep the {@link #beamWidth()} best partial sequences; deterministic. */
        BEAM_SEARCH
    }

    private final Strategy strategy;
    private final int maxNewTokens;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final double repetitionPenalty;
    private final OptionalLong seed;
    private final List<String> stopStrings;
    private final int beamWidth;
    private final double lengthPenalty;

    private GenerationConfig(Builder b) {
        this.strategy = b.strategy;
        this.maxNewTokens = b.maxNewTokens;
        this.temperature = b.temperature == null ? 1.0 : b.temperature;
        this.topK = b.topK == null ? 0 : b.topK;
        this.topP = b.topP == null ? 1.0 : b.topP;
        this.repetitionPenalty = b.repetitionPenalty;
        this.seed = b.seed == null ? OptionalLong.empty() : OptionalLong.of(b.seed);
        this.stopStrings = List.copyOf(b.stopStrings);
        this.beamWidth = b.beamWidth;
        this.lengthPenalty = b.lengthPenalty == null ? 1.0 : b.lengthPenalty;
    }

    /** A builder with the defaults of {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Greedy decoding of at most {@code maxNewTokens} tokens. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return builder().optGreedy().optMaxNewTokens(maxNewTokens).build();
    }

    /** How tokens are chosen; default {@link Strategy#SAMPLING}. */
    public Strategy strategy() {
        return strategy;
    }

    /** Most tokens generated after the prompt (≥ 1). */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** Logits are divided by it before sampling (> 0; below 1 sharpens, above 1 flattens). Default 1. */
    public double temperature() {
        return temperature;
    }

    /** Sample only among the k most likely tokens; 0 = no limit (default). */
    public int topK() {
        return topK;
    }

    /** Nucleus sampling: the smallest set of most likely tokens whose probabilities sum to ≥ p. Default 1 (off). */
    public double topP() {
        return topP;
    }

    /**
     * CTRL-style penalty (≥ 1, default 1 = off) for every token already in the prompt or the generated text:
     * positive logits are divided by it, negative ones multiplied.
     */
    public double repetitionPenalty() {
        return repetitionPenalty;
    }

    /** Seed of the sampler; empty = a fresh random seed per call (reported in the result). */
    public OptionalLong seed() {
        return seed;
    }

    /** Strings that end generation as soon as the text (prompt included) ends with one; default none. */
    public List<String> stopStrings() {
        return stopStrings;
    }

    /** Beams kept by beam search (1 for the other strategies). */
    public int beamWidth() {
        return beamWidth;
    }

    /** Exponent of the length normalisation of beam scores; default 1, 0 = raw sum, above 1 favours long text. */
    public double lengthPenalty() {
        return lengthPenalty;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("GenerationConfig{").append(strategy.name().toLowerCase())
                .append(", maxNewTokens=").append(maxNewTokens);
        if (strategy == Strategy.SAMPLING) {
            sb.append(", temperature=").append(temperature).append(", topK=").append(topK)
                    .append(", topP=").append(topP);
            seed.ifPresent(s -> sb.append(", seed=").append(s));
        }
        if (strategy == Strategy.BEAM_SEARCH) {
            sb.append(", beamWidth=").append(beamWidth).append(", lengthPenalty=").append(lengthPenalty);
        }
        if (repetitionPenalty != 1.0) {
            sb.append(", repetitionPenalty=").append(repetitionPenalty);
        }
        if (!stopStrings.isEmpty()) {
            sb.append(", stopStrings=").append(stopStrings);
        }
        return sb.append('}').toString();
    }

    /** Builder; defaults: sampling at temperature 1, no top-k/top-p, 128 new tokens, no stop strings. */
    public static final class Builder {
        private Strategy strategy = Strategy.SAMPLING;
        private int maxNewTokens = DEFAULT_MAX_NEW_TOKENS;
        // Boxed so build() can tell "set" from "default" and refuse settings the strategy would ignore.
        private Double temperature;
        private Integer topK;
        private Double topP;
        private double repetitionPenalty = 1.0;
        private Long seed;
        private final List<String> stopStrings = new ArrayList<>();
        private int beamWidth = 1;
        private Double lengthPenalty;

        private Builder() {
        }

        /** Sample from the (filtered) distribution; the default. */
        public Builder optSampling() {
            this.strategy = Strategy.SAMPLING;
            this.beamWidth = 1;
            return this;
        }

        /** Always take the most likely token. */
        public Builder optGreedy() {
            this.strategy = Strategy.GREEDY;
            this.beamWidth = 1;
            return this;
        }

        /** Beam search keeping {@code beamWidth} candidates: ≥ 1 (1 equals greedy decoding). */
        public Builder optBeamSearch(int beamWidth) {
            this.strategy = Strategy.BEAM_SEARCH;
            this.beamWidth = beamWidth;
            return this;
        }

        /** Most tokens generated after the prompt: ≥ 1, default {@value GenerationConfig#DEFAULT_MAX_NEW_TOKENS}. */
        public Builder optMaxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        /**
         * Sampling temperature: a finite number > 0, default 1; below 1 sharpens the distribution, above 1 flattens
         * it. Sampling only.
         */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Sample among the k most likely tokens only: k ≥ 0, default 0 = no limit. Sampling only. */
        public Builder optTopK(int topK) {
            this.topK = topK;
            return this;
        }

        /**
         * Nucleus sampling: sample within the smallest set of most likely tokens whose probability reaches p;
         * 0 &lt; p ≤ 1, default 1 = off. Sampling only.
         */
        public Builder optTopP(double topP) {
            this.topP = topP;
            return this;
        }

        /**
         * CTRL repetition penalty for tokens already in the prompt or the output: a finite number ≥ 1, default
         * 1 = off; positive logits are divided by it, negative ones multiplied. Every strategy.
         */
        public Builder optRepetitionPenalty(double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        /** Seed of the sampler, any long; default none = a fresh random seed per call. Sampling only. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Adds stop strings (each non-empty). */
        public Builder optStopStrings(String... stopStrings) {
            Objects.requireNonNull(stopStrings, "stopStrings");
            return optStopStrings(List.of(stopStrings));
        }

        /** Adds stop strings (each non-empty). */
        public Builder optStopStrings(List<String> stopStrings) {
            Objects.requireNonNull(stopStrings, "stopStrings");
            for (int i = 0; i < stopStrings.size(); i++) {
                String s = stopStrings.get(i);
                if (s == null || s.isEmpty()) {
                    throw new IllegalArgumentException("stopStrings: entry " + i + " is "
                            + (s == null ? "null" : "empty") + "; expected a non-empty string");
                }
                this.stopStrings.add(s);
            }
            return this;
        }

        /**
         * Length normalisation of beam scores, {@code sum log p / length^lengthPenalty}: any finite number, default
         * 1; 0 = raw sum (favours short text), above 1 favours long text. Beam search only.
         */
        public Builder optLengthPenalty(double lengthPenalty) {
            this.lengthPenalty = lengthPenalty;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the setting, its value and the accepted range, or a setting the
         *                                  chosen strategy does not use
         */
        public GenerationConfig build() {
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("maxNewTokens: expected ≥ 1 but got " + maxNewTokens);
            }
            if (temperature != null && !(temperature > 0 && Double.isFinite(temperature))) {
                throw new IllegalArgumentException("temperature: expected a finite number > 0 but got " + temperature
                        + " (use optGreedy() for deterministic argmax decoding)");
            }
            if (topK != null && topK < 0) {
                throw new IllegalArgumentException("topK: expected ≥ 0 (0 = no limit) but got " + topK);
            }
            if (topP != null && !(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("topP: expected 0 < topP ≤ 1 but got " + topP);
            }
            if (!(repetitionPenalty >= 1 && Double.isFinite(repetitionPenalty))) {
                throw new IllegalArgumentException("repetitionPenalty: expected a finite number ≥ 1 (1 = off) but got "
                        + repetitionPenalty);
            }
            if (beamWidth < 1) {
                throw new IllegalArgumentException("beamWidth: expected ≥ 1 but got " + beamWidth);
            }
            if (lengthPenalty != null && !Double.isFinite(lengthPenalty)) {
                throw new IllegalArgumentException("lengthPenalty: expected a finite number but got " + lengthPenalty);
            }
            if (strategy != Strategy.SAMPLING) {
                String name = strategy == Strategy.GREEDY ? "greedy decoding" : "beam search";
                rejectUnused("temperature", temperature, name);
                rejectUnused("topK", topK, name);
                rejectUnused("topP", topP, name);
                rejectUnused("seed", seed, name);
            }
            if (strategy != Strategy.BEAM_SEARCH) {
                rejectUnused("lengthPenalty", lengthPenalty, strategy == Strategy.GREEDY ? "greedy decoding"
                        : "sampling");
            }
            return new GenerationConfig(this);
        }

        private static void rejectUnused(String setting, Object value, String strategy) {
            if (value != null) {
                throw new IllegalArgumentException(setting + ": set to " + value + ", but " + strategy
                        + " does not use it");
            }
        }
    }
}
