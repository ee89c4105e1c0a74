package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.data.CharVocabulary;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TokenDropoutTest {
    /** 200 words of 10 characters, ids 1..9 (never the unknown id). */
    private static int[][] words() {
        int[][] words = new int[200][10];
        for (int i = 0; i < words.length; i++) {
            for (int j = 0; j < 10; j++) {
                words[i][j] = 1 + (i + j) % 9;
            }
        }
        return words;
    }

    @Test
    void replacesAboutTheRateOfCharactersByTheUnknownIdAndNothingElse() {
        int[][] words = words();
        int[][] before = Arrays.stream(words).map(int[]::clone).toArray(int[][]::new);
        int[][] out = TokenDropout.apply(words, 0.2f, 42, 3, 7);
        int replaced = 0;
        for (int i = 0; i < words.length; i++) {
            for (int j = 0; j < 10; j++) {
                if (out[i][j] != words[i][j]) {
                    assertEquals(CharVocabulary.UNKNOWN_ID, out[i][j]);
                    replaced++;
                }
            }
        }
        // 2,000 characters at 0.2: 400 expected, sd ≈ 18; the bounds are over 5 sd away.
        assertTrue(replaced > 300 && replaced < 500, "replaced " + replaced);
        assertArrayEquals(before, words, "the batch itself is left alone");
    }

    @Test
    void theSameSeedEpochAndStepCorruptTheSameCharactersAndOthersDoNot() {
        int[][] words = words();
        assertArrayEquals(TokenDropout.apply(words, 0.3f, 42, 2, 5), TokenDropout.apply(words, 0.3f, 42, 2, 5));
        assertFalse(Arrays.deepEquals(TokenDropout.apply(words, 0.3f, 42, 2, 5),
                TokenDropout.apply(words, 0.3f, 42, 2, 6)));
        assertFalse(Arrays.deepEquals(TokenDropout.apply(words, 0.3f, 42, 2, 5),
                TokenDropout.apply(words, 0.3f, 42, 3, 5)));
        assertFalse(Arrays.deepEquals(TokenDropout.apply(words, 0.3f, 42, 2, 5),
                TokenDropout.apply(words, 0.3f, 43, 2, 5)));
    }

    @Test
    void rateZeroChangesNothingAndABadRateIsRefused() {
        int[][] words = words();
        assertArrayEquals(words, TokenDropout.apply(words, 0f, 42, 0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenDropout.apply(words, 1f, 42, 0, 0));
        assertEquals("rate: expected a chance in [0, 1) but got 1.0", e.getMessage());
    }
}
