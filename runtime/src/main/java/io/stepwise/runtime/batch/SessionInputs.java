package io.stepwise.runtime.batch;

import io.stepwise.runtime.ModelInfo;
import java.util.Objects;

/**
 * The checks a {@link BatchedSession} makes on its input before anything is queued, returning the copies it queues
 * (the caller may reuse its arrays at once): input kind, token range, feature width and finiteness. Each failure
 * names the argument, the value and what was expected.
 */
final class SessionInputs {
    private SessionInputs() {
    }

    /** One token id, as the one-step input row. */
    static int[] token(ModelInfo info, int token) {
        requireInput(info, true);
        checkToken(info, token, "token");
        return new int[] {token};
    }

    /** One step of features, as the one-step input rows. */
    static float[][] step(ModelInfo info, float[] features) {
        requireInput(info, false);
        return new float[][] {checkFeatures(info, features, "features")};
    }

    /** The ids of a feed, copied; possibly empty. */
    static int[] tokens(ModelInfo info, int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        requireInput(info, true);
        for (int i = 0; i < tokens.length; i++) {
            checkToken(info, tokens[i], "tokens[" + i + "]");
        }
        return tokens.clone();
    }

    /** The feature rows of a feed, copied; possibly empty. */
    static float[][] steps(ModelInfo info, float[][] steps) {
        Objects.requireNonNull(steps, "steps");
        requireInput(info, false);
        float[][] copy = new float[steps.length][];
        for (int t = 0; t < steps.length; t++) {
            copy[t] = checkFeatures(info, steps[t], "steps[" + t + "]");
        }
        return copy;
    }

    private static void requireInput(ModelInfo info, boolean tokens) {
        if (tokens != info.isTokenInput()) {
            throw new UnsupportedOperationException(tokens
                    ? "this model reads features (" + info.inputSize() + " per step), not token ids; pass float[] features"
                    : "this model reads token ids, not features; pass token ids");
        }
    }

    private static void checkToken(ModelInfo info, int token, String name) {
        int vocabulary = info.inputSize();
        if (token < 0 || (vocabulary > 0 && token >= vocabulary)) {
            throw new IllegalArgumentException(name + ": expected a token id in [0, "
                    + (vocabulary > 0 ? Integer.toString(vocabulary) : "vocabulary size") + ") but got " + token);
        }
    }

    private static float[] checkFeatures(ModelInfo info, float[] row, String name) {
        int f = info.inputSize();
        if (row == null) {
            throw new IllegalArgumentException(name + ": expected " + f + " features but got null");
        }
        if (row.length != f) {
            throw new IllegalArgumentException(name + ": expected " + f + " features but got " + row.length);
        }
        for (int i = 0; i < f; i++) {
            if (!Float.isFinite(row[i])) {
                throw new IllegalArgumentException(name + "[" + i + "]: features must be finite but got " + row[i]);
            }
        }
        return row.clone();
    }
}
