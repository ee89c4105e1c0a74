package io.stepwise.runtime;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.NetworkSpec;
import java.util.ArrayList;
import java.util.List;

/** Tiny random models of every cell, input kind and (unidirectional) head, for the batching tests. */
public final class BatchTestModels {
    /** One model shape to test. */
    public record Kind(CellKind cell, boolean tokens, HeadKind head, int layers) {
        public NetworkSpec spec() {
            NetworkSpec.Builder b = NetworkSpec.builder().setCell(cell).setHiddenSize(7).optLayers(layers).optHead(head);
            return tokens ? b.setTokenInput(11, 4).setOutputSize(head == HeadKind.PER_STEP ? 11 : 3).build()
                    : b.setFeatureInput(3).setOutputSize(2).build();
        }

        @Override
        public String toString() {
            return cell.id() + (tokens ? " tokens " : " features ") + head + " ×" + layers;
        }
    }

    private BatchTestModels() {
    }

    /** Every cell × tokens/features × per-step/final-state head, 1 or 2 layers. */
    public static List<Kind> all() {
        List<Kind> kinds = new ArrayList<>();
        for (CellKind cell : CellKind.values()) {
            for (boolean tokens : new boolean[] {true, false}) {
                for (HeadKind head : HeadKind.values()) {
                    kinds.add(new Kind(cell, tokens, head, kinds.size() % 2 + 1));
                }
            }
        }
        return kinds;
    }

    /** The model's bytes (load it twice to compare a batched copy against plain sessions). */
    public static byte[] bytes(Kind kind, long seed) {
        return RandomModels.bytes(kind.spec(), seed);
    }

    public static RecurrentModel load(Kind kind, long seed) {
        return RecurrentModel.fromBytes(bytes(kind, seed));
    }
}
