package io.stepwise.training.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecurrentNetTest {
    @Test
    void djlIsConfiguredOffline() {
        DjlRuntime.engine();
        assertEquals("true", System.getProperty(DjlRuntime.OFFLINE_PROPERTY));
        assertEquals("PyTorch", DjlRuntime.engine().getEngineName());
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void stepByStepEqualsWholeSequence(CellKind cell) {
        NetworkSpec spec = NetworkSpec.builder().setCell(cell).setHiddenSize(5).optLayers(2).setTokenInput(9, 3)
                .setOutputSize(9).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(3);
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).optDropout(0.5f).build();
            net.initialize(manager);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray tokens = manager.create(new long[] {1, 4, 2, 8, 0, 3, 5, 7}, new Shape(2, 4));
            NDList whole = net.forward(store, new NDList(tokens), false);
            assertEquals(new Shape(2, 4, 9), whole.get(0).getShape());
            assertEquals(new Shape(2, 2, 5), whole.get(1).getShape());
            assertEquals(net.stateCount() + 1, whole.size());

            NDList state = net.zeroState(manager, 2);
            for (int t = 0; t < 4; t++) {
                NDList inputs = new NDList(tokens.get(new NDIndex(":, {}:{}", t, t + 1)));
                inputs.addAll(state);
                NDList step = net.forward(store, inputs, false);
                assertArrayEquals(whole.get(0).get(new NDIndex(":, {}", t)).toFloatArray(),
                        step.get(0).get(new NDIndex(":, 0")).toFloatArray(), 1e-6f);
                state = step.subNDList(1);
            }
            for (int i = 0; i < net.stateCount(); i++) {
                assertArrayEquals(whole.get(1 + i).toFloatArray(), state.get(i).toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void finalStateHeadReadsTopLayerForwardThenBackward() {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(4).optLayers(2)
                .optBidirectional(true).optHead(HeadKind.FINAL_STATE).setFeatureInput(3).setOutputSize(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(8);
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            net.initialize(manager);
            NDArray x = manager.randomNormal(new Shape(3, 5, 3));
            NDList out = net.forward(new ParameterStore(manager, false), new NDList(x), false);
            assertEquals(new Shape(3, 2), out.get(0).getShape());
            NDArray hn = out.get(1);
            assertEquals(new Shape(4, 3, 4), hn.getShape());
            NDArray features = hn.get(new NDIndex("2")).concat(hn.get(new NDIndex("3")), 1); // [3, 8]
            NDArray expected = features.matMul(net.headWeightParameter().getArray().transpose())
                    .add(net.headBiasParameter().getArray());
            assertArrayEquals(expected.toFloatArray(), out.get(0).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void dropoutActsOnlyWhileTraining() {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).setHiddenSize(6).optLayers(2)
                .setFeatureInput(2).setOutputSize(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).optDropout(0.5f).build();
            net.initialize(manager);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(new Shape(2, 4, 2));
            float[] a = net.forward(store, new NDList(x), false).get(0).toFloatArray();
            float[] b = net.forward(store, new NDList(x), false).get(0).toFloatArray();
            assertArrayEquals(a, b);
            float[] c = net.forward(store, new NDList(x), true).get(0).toFloatArray();
            assertFalse(java.util.Arrays.equals(a, c), "dropout 0.5 should change the training output");
        }
    }

    @Test
    void badInputsAreRejectedWithTheirShapes() {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.RNN_RELU).setHiddenSize(4).setFeatureInput(3)
                .setOutputSize(1).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            net.initialize(manager);
            ParameterStore store = new ParameterStore(manager, false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.forward(store, new NDList(manager.zeros(new Shape(2, 4, 5))), false));
            assertTrue(e.getMessage().startsWith("features:") && e.getMessage().contains("(2, 4, 5)"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> net.forward(store,
                    new NDList(manager.zeros(new Shape(2, 4, 3)), manager.zeros(new Shape(1, 3, 4))), false));
            assertTrue(e.getMessage().startsWith("h0:"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> net.forward(store,
                    new NDList(manager.zeros(new Shape(2, 4, 3)), manager.zeros(new Shape(1, 2, 4)),
                            manager.zeros(new Shape(1, 2, 4))), false));
            assertTrue(e.getMessage().startsWith("inputs:"), e.getMessage());
        }
    }

    @Test
    void builderValidates() {
        assertThrows(IllegalArgumentException.class, () -> RecurrentNet.builder().build());
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(4).setFeatureInput(3)
                .setOutputSize(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecurrentNet.builder().setSpec(spec).optDropout(1f).build());
        assertTrue(e.getMessage().startsWith("dropout:"), e.getMessage());
    }
}
