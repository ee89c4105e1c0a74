package io.stepwise.runtime;

/**
 * The input checks shared by the batch path ({@link RecurrentModel#forward}) and the step path
 * ({@link StepSession}): input kind, token range, feature width and finiteness, state size and finiteness. Each
 * failure names the argument, the value and what was expected, and is thrown before anything reaches ONNX Runtime.
 */
final class InputChecks {
    private InputChecks() {
    }

    /**
     * @param tokens whether the caller passes token ids (else features)
     * @throws UnsupportedOperationException when the model reads the other kind
     */
    static void requireInput(ModelInfo info, boolean tokens) {
        if (tokens != info.isTokenInput()) {
            throw new UnsupportedOperationException(tokens
                    ? "this model reads features (" + info.inputSize() + " per step), not token ids; pass float[] features"
                    : "this model reads token ids, not features; pass token ids");
        }
    }

    /**
     * A token id must lie in [0, vocabulary) — [0, 2³¹) for int32 graphs — where {@code vocabulary} ≤ 0 means the
     * size is unknown (a signature-bound model that does not say).
     *
     * @throws IllegalArgumentException naming {@code name}, the accepted range and the id
     */
    static void checkToken(long id, int vocabulary, boolean int32, String name) {
        if (id < 0 || (vocabulary > 0 && id >= vocabulary) || (int32 && id > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(name + ": expected a token id in [0, "
                    + (vocabulary > 0 ? Integer.toString(vocabulary) : "vocabulary size") + ") but got " + id);
        }
    }

    /**
     * One step's feature vector: not null, {@code f} values, all finite.
     *
     * @throws IllegalArgumentException naming {@code where} (and the index of a non-finite value)
     */
    static void checkFeatures(float[] row, int f, String where) {
        if (row == null) {
            throw new IllegalArgumentException(where + ": expected " + f + " features but got null");
        }
        if (row.length != f) {
            throw new IllegalArgumentException(where + ": expected " + f + " features but got " + row.length);
        }
        checkFinite(row, where, "features");
    }

    /** Whether {@link #checkFeatures} would pass, without building the argument's name (long inputs check fast). */
    static boolean featuresOk(float[] row, int f) {
        if (row == null || row.length != f) {
            return false;
        }
        for (float v : row) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A state vector: {@code size} values (described by {@code shape}), all finite.
     *
     * @throws IllegalArgumentException naming {@code name}
     */
    static void checkState(float[] state, int size, String shape, String name) {
        if (state.length != size) {
            throw new IllegalArgumentException(name + ": expected " + size + " values (" + shape + ") but got "
                    + state.length);
        }
        checkFinite(state, name, "state");
    }

    private static void checkFinite(float[] values, String where, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(where + "[" + i + "]: " + what + " must be finite but got "
                        + values[i]);
            }
        }
    }
}
