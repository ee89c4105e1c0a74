package io.stepwise.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.runtime.BatchTestModels;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import org.junit.jupiter.api.Test;

/** A batched session's input checks: each names the argument, the value and what was expected; inputs are copied. */
class SessionInputsTest {

    private static ModelInfo info(boolean tokens) {
        try (RecurrentModel model = BatchTestModels.load(new BatchTestModels.Kind(CellKind.GRU, tokens,
                HeadKind.PER_STEP, 1), 1)) {
            return model.info();
        }
    }

    @Test
    void tokensAreCheckedAgainstTheVocabularyAndCopied() {
        ModelInfo info = info(true); // 11 tokens
        assertArrayEquals(new int[] {10}, SessionInputs.token(info, 10));
        assertMessage(IllegalArgumentException.class, () -> SessionInputs.token(info, 11),
                "token: expected a token id in [0, 11) but got 11");
        int[] feed = {0, 3};
        int[] copy = SessionInputs.tokens(info, feed);
        assertArrayEquals(feed, copy);
        assertNotSame(feed, copy);
        assertMessage(IllegalArgumentException.class, () -> SessionInputs.tokens(info, new int[] {1, -1}),
                "tokens[1]: expected a token id in [0, 11) but got -1");
        assertEquals(0, SessionInputs.tokens(info, new int[0]).length);
        assertThrows(NullPointerException.class, () -> SessionInputs.tokens(info, null));
        assertMessage(UnsupportedOperationException.class, () -> SessionInputs.step(info, new float[] {1}),
                "reads token ids");
    }

    @Test
    void featuresAreCheckedForWidthAndFinitenessAndCopied() {
        ModelInfo info = info(false); // 3 features
        float[] row = {1, 2, 3};
        float[][] step = SessionInputs.step(info, row);
        assertArrayEquals(row, step[0]);
        assertNotSame(row, step[0]);
        assertMessage(IllegalArgumentException.class, () -> SessionInputs.step(info, null),
                "features: expected 3 features but got null");
        assertMessage(IllegalArgumentException.class, () -> SessionInputs.steps(info, new float[][] {row, {1, 2}}),
                "steps[1]: expected 3 features but got 2");
        assertMessage(IllegalArgumentException.class, () -> SessionInputs.steps(info, new float[][] {{1, Float.NaN, 3}}),
                "steps[0][1]: features must be finite but got NaN");
        float[][] steps = {row};
        assertNotSame(row, SessionInputs.steps(info, steps)[0]);
        assertMessage(UnsupportedOperationException.class, () -> SessionInputs.token(info, 1), "reads features (3");
    }

    private static void assertMessage(Class<? extends RuntimeException> type, Runnable call, String part) {
        RuntimeException e = assertThrows(type, call::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
