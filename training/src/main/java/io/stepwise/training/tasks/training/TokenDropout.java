package io.stepwise.training.tasks.training;

import io.stepwise.training.data.CharVocabulary;
import java.util.SplittableRandom;

/**
 * Training-only corruption of a batch of words: each character is replaced by the unknown token
 * ({@link CharVocabulary#UNKNOWN_ID}) with a given chance. A classifier that may lose any character cannot lean on
 * one tell-tale letter of a word it has memorised, and the unknown token is what it meets for an unseen character
 * at run time anyway, so the exported model's inputs are unchanged.
 *
 * <p>The replaced positions depend only on (seed, epoch, step), not on earlier batches, so that a run resumed from
 * a checkpoint corrupts the same characters as one that was never interrupted.
 */
final class TokenDropout {
    private TokenDropout() {
    }

    /**
     * A copy of {@code words} ([batch][length] token ids) with each id replaced by the unknown id with chance
     * {@code rate}; {@code words} itself is left alone.
     *
     * @param rate chance per character, in [0, 1)
     */
    static int[][] apply(int[][] words, float rate, long seed, int epoch, int step) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("rate: expected a chance in [0, 1) but got " + rate);
        }
        SplittableRandom random = new SplittableRandom(mix(seed, epoch, step));
        int[][] out = new int[words.length][];
        for (int i = 0; i < words.length; i++) {
            out[i] = words[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                if (random.nextDouble() < rate) {
                    out[i][j] = CharVocabulary.UNKNOWN_ID;
                }
            }
        }
        return out;
    }

    /** One 64-bit seed from the three (SplitMix64's finaliser over a weighted sum). */
    private static long mix(long seed, int epoch, int step) {
        long z = seed + 0x9E3779B97F4A7C15L * (((long) epoch << 32) + step + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
