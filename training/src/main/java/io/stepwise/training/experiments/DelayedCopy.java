package io.stepwise.training.experiments;

import java.util.Random;

/**
 * The delayed-copy task: a stream of symbols drawn uniformly from an alphabet of {@code alphabet} symbols; at step
 * t the answer is the symbol read {@code delay} steps earlier, x[t − delay]. Guessing is right 1/alphabet of the
 * time; nothing in the recent input helps, so the only way to do better is to remember exactly {@code delay}
 * steps back.
 */
public final class DelayedCopy {
    private DelayedCopy() {
    }

    /** {@code streams} independent streams of {@code length} symbols: [streams][length]. */
    public static int[][] streams(int streams, int length, int alphabet, Random random) {
        if (alphabet < 2) {
            throw new IllegalArgumentException("alphabet: expected at least 2 symbols but got " + alphabet);
        }
        int[][] out = new int[streams][length];
        for (int s = 0; s < streams; s++) {
            for (int t = 0; t < length; t++) {
                out[s][t] = random.nextInt(alphabet);
            }
        }
        return out;
    }

    /** The answer at step {@code t} of {@code stream}, or −1 when {@code t < delay} (nothing to copy yet). */
    public static int answer(int[] stream, int t, int delay) {
        return t >= delay ? stream[t - delay] : -1;
    }
}
