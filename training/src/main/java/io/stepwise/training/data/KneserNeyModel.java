package io.stepwise.training.data;

/**
 * Interpolated Kneser–Ney n-gram model over token ids (used on characters as the language-model baseline).
 *
 * <p>For order {@code N}, history {@code h} (the last {@code k−1} tokens) and next token {@code w}:
 * <pre>
 *   P_k(w | h) = max(c_k(h w) − D_k, 0) / c_k(h) + D_k · N1+(h •) / c_k(h) · P_{k−1}(w | h')
 *   P_0(w)     = 1 / V
 * </pre>
 * where {@code h'} drops the oldest token of {@code h}, {@code c_N} are raw counts of N-grams in the training
 * stream, {@code c_k} for {@code k < N} are continuation counts (the number of distinct tokens seen before
 * {@code h w}), {@code c_k(h) = Σ_w c_k(h w)}, {@code N1+(h •)} is the number of distinct {@code w} with
 * {@code c_k(h w) > 0}, and {@code D_k = n1 / (n1 + 2·n2)} from the numbers of k-grams counted once and
 * twice at that order (Ney's estimate), clamped to [0.1, 0.9] so every token keeps some mass. When
 * {@code c_k(h) = 0} the order is skipped: {@code P_k = P_{k−1}}. Each {@code P_k(· | h)} sums to 1 over the
 * V tokens. At the start of a stream, where fewer than N−1 tokens precede, the highest order that the
 * available history allows is used. Start-of-stream effects in counting (the first N−1 tokens do not add
 * lower-order raw counts) are ignored; they matter only for tiny training streams.
 */
public final class KneserNeyModel {
    /** Default order. */
    public static final int DEFAULT_ORDER = 5;

    private final int vocabularySize;
    private final int order;
    private final int bits;
    private final LongIntMap[] counts;      // [k] k-gram → c_k
    private final LongIntMap[] totals;      // [k] (k−1)-gram context → c_k(h)
    private final LongIntMap[] followers;   // [k] context → N1+(h •)
    private final double[] discounts;       // [k] D_k

    private KneserNeyModel(int vocabularySize, int order, int bits, LongIntMap[] counts, LongIntMap[] totals,
                           LongIntMap[] followers, double[] discounts) {
        this.vocabularySize = vocabularySize;
        this.order = order;
        this.bits = bits;
        this.counts = counts;
        this.totals = totals;
        this.followers = followers;
        this.discounts = discounts;
    }

    /**
     * Counts the n-grams of a training stream.
     *
     * @param tokens         ids in [0, vocabularySize)
     * @param vocabularySize V ≥ 1
     * @param order          N ≥ 1; N · ceil(log2 V) must be ≤ 62 so n-grams pack into a long
     */
    public static KneserNeyModel train(int[] tokens, int vocabularySize, int order) {
        if (vocabularySize < 1) {
            throw new IllegalArgumentException("vocabularySize: expected ≥ 1 but got " + vocabularySize);
        }
        if (order < 1) {
            throw new IllegalArgumentException("order: expected ≥ 1 but got " + order);
        }
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(vocabularySize - 1));
        if ((long) bits * order > 62) {
            throw new IllegalArgumentException("order: " + order + " is too high for vocabulary size "
                    + vocabularySize + " (needs " + bits * order + " bits, expected ≤ 62)");
        }
        if (tokens == null || tokens.length < order) {
            throw new IllegalArgumentException("tokens: expected at least order=" + order + " tokens but got "
                    + (tokens == null ? "null" : tokens.length));
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabularySize) {
                throw new IllegalArgumentException("tokens[" + i + "]: expected an id in [0, " + vocabularySize
                        + ") but got " + tokens[i]);
            }
        }
        LongIntMap[] counts = new LongIntMap[order + 1];
        counts[order] = new LongIntMap(Math.min(tokens.length, 1 << 20));
        long mask = (1L << (bits * order)) - 1;
        long key = 0;
        for (int i = 0; i < tokens.length; i++) {
            key = ((key << bits) | tokens[i]) & mask;
            if (i >= order - 1) {
                counts[order].add(key, 1);
            }
        }
        for (int k = order - 1; k >= 1; k--) {
            LongIntMap lower = new LongIntMap(counts[k + 1].size());
            long suffixMask = (1L << (bits * k)) - 1;
            counts[k + 1].forEach((gram, c) -> lower.add(gram & suffixMask, 1));
            counts[k] = lower;
        }
        LongIntMap[] totals = new LongIntMap[order + 1];
        LongIntMap[] followers = new LongIntMap[order + 1];
        double[] discounts = new double[order + 1];
        for (int k = 1; k <= order; k++) {
            LongIntMap t = new LongIntMap(counts[k].size() / 2);
            LongIntMap f = new LongIntMap(counts[k].size() / 2);
            int[] n12 = new int[2];
            counts[k].forEach((gram, c) -> {
                long context = gram >>> bits;
                t.add(context, c);
                f.add(context, 1);
                if (c == 1) {
                    n12[0]++;
                } else if (c == 2) {
                    n12[1]++;
                }
            });
            totals[k] = t;
            followers[k] = f;
            double d = n12[0] + 2.0 * n12[1] == 0 ? 0.5 : n12[0] / (n12[0] + 2.0 * n12[1]);
            discounts[k] = Math.min(0.9, Math.max(0.1, d));
        }
        return new KneserNeyModel(vocabularySize, order, bits, counts, totals, followers, discounts);
    }

    public int order() {
        return order;
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /** D_k for k in 1..order. */
    public double discount(int k) {
        if (k < 1 || k > order) {
            throw new IllegalArgumentException("k: expected 1.." + order + " but got " + k);
        }
        return discounts[k];
    }

    /**
     * P(next | the tokens of {@code history} before index {@code end}); only the last order−1 of them matter.
     */
    public double probability(int[] history, int end, int next) {
        if (next < 0 || next >= vocabularySize) {
            throw new IllegalArgumentException("next: expected an id in [0, " + vocabularySize + ") but got "
                    + next);
        }
        if (end < 0 || end > history.length) {
            throw new IllegalArgumentException("end: expected 0.." + history.length + " but got " + end);
        }
        double p = 1.0 / vocabularySize;
        long context = 0;
        for (int k = 1; k <= order; k++) {
            if (k > 1) {
                int pos = end - (k - 1);
                if (pos < 0) {
                    break;
                }
                int token = history[pos];
                if (token < 0 || token >= vocabularySize) {
                    throw new IllegalArgumentException("history[" + pos + "]: expected an id in [0, "
                            + vocabularySize + ") but got " + token);
                }
                // The context grows to the left: put the older token in the higher bits.
                context |= ((long) token) << (bits * (k - 2));
            }
            int total = totals[k].get(context);
            if (total == 0) {
                continue;
            }
            int c = counts[k].get((context << bits) | next);
            double d = discounts[k];
            p = Math.max(c - d, 0) / total + d * followers[k].get(context) / total * p;
        }
        return p;
    }

    /**
     * Mean −log2 P over the stream, each token predicted from the tokens before it in the same stream; for a
     * character stream this is bits per character.
     */
    public double bitsPerToken(int[] tokens) {
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("tokens: expected a non-empty stream");
        }
        double sum = 0;
        for (int i = 0; i < tokens.length; i++) {
            sum -= Math.log(probability(tokens, i, tokens[i]));
        }
        return sum / tokens.length / Math.log(2);
    }
}
