package io.stepwise.runtime;

import io.stepwise.runtime.ModelFormat.Cell;
import io.stepwise.runtime.ModelFormat.Head;
import io.stepwise.runtime.ModelFormat.InputKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The two fingerprints of a {@link ModelInfo}, which {@link SessionState}s carry so that a model refuses another
 * model's state: the architecture's (what makes states shape-compatible) and the model's (the architecture and the
 * weights' digest). Both are 16 hex digits of FNV-1a 64 over a canonical text; the text is part of the state-bytes
 * contract (a state written by an earlier version must still be recognised), so it changes only with a new state
 * format.
 */
final class ModelFingerprint {
    private ModelFingerprint() {
    }

    /** The architecture's fingerprint: cell, sizes, directions, input, head, state count and vocabulary. */
    static String architecture(Cell cell, int layers, int hiddenSize, boolean bidirectional, InputKind inputKind,
                               int inputSize, Head head, int outputSize, int states, List<String> vocabulary) {
        return fnv64(String.join("|", cell.wireName(), Integer.toString(layers), Integer.toString(hiddenSize),
                Boolean.toString(bidirectional), inputKind.wireName(), Integer.toString(inputSize), head.wireName(),
                Integer.toString(outputSize), Integer.toString(states), String.join("\u0000", vocabulary)));
    }

    /** The model's fingerprint: the architecture's alone when there is no weights digest, else both hashed. */
    static String of(String architecture, String weightsDigest) {
        return weightsDigest.isEmpty() ? architecture : fnv64(architecture + "|" + weightsDigest);
    }

    private static String fnv64(String canonical) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : canonical.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return String.format(Locale.ROOT, "%016x", h);
    }
}
