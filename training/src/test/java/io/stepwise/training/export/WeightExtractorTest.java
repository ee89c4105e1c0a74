package io.stepwise.training.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightExtractorTest {
    @Test
    void copiesEveryTensorInPyTorchLayout() {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).setHiddenSize(5).optLayers(2)
                .optBidirectional(true).optHead(HeadKind.FINAL_STATE).setTokenInput(7, 3).setOutputSize(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(4);
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            net.initialize(manager);
            assertEquals(List.of("embedding.weight",
                    "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                    "rnn.weight_ih_l0_reverse", "rnn.weight_hh_l0_reverse", "rnn.bias_ih_l0_reverse",
                    "rnn.bias_hh_l0_reverse",
                    "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
                    "rnn.weight_ih_l1_reverse", "rnn.weight_hh_l1_reverse", "rnn.bias_ih_l1_reverse",
                    "rnn.bias_hh_l1_reverse", "head.weight", "head.bias"), net.getParameters().keys());
            List<Parameter> l1Backward = net.recurrentParameters(1, 1);
            assertEquals(new Shape(20, 10), l1Backward.get(0).getArray().getShape());
            assertEquals(new Shape(20, 5), l1Backward.get(1).getArray().getShape());
            assertEquals(new Shape(20), l1Backward.get(2).getArray().getShape());

            NetworkWeights weights = WeightExtractor.extract(net);
            assertArrayEquals(net.embeddingParameter().getArray().toFloatArray(), weights.embedding());
            for (int l = 0; l < 2; l++) {
                for (int d = 0; d < 2; d++) {
                    List<Parameter> p = net.recurrentParameters(l, d);
                    LayerWeights w = weights.layer(l, d);
                    assertArrayEquals(p.get(0).getArray().toFloatArray(), w.inputWeights());
                    assertArrayEquals(p.get(1).getArray().toFloatArray(), w.recurrentWeights());
                    assertArrayEquals(p.get(2).getArray().toFloatArray(), w.inputBias());
                    assertArrayEquals(p.get(3).getArray().toFloatArray(), w.recurrentBias());
                }
            }
            assertArrayEquals(net.headWeightParameter().getArray().toFloatArray(), weights.headWeight());
            assertArrayEquals(net.headBiasParameter().getArray().toFloatArray(), weights.headBias());
        }
    }

    @Test
    void featureInputHasNoEmbedding() {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(4).setFeatureInput(2)
                .setOutputSize(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            assertThrows(IllegalStateException.class, () -> WeightExtractor.extract(net));
            net.initialize(manager);
            assertNull(net.embeddingParameter());
            NetworkWeights weights = WeightExtractor.extract(net);
            assertNull(weights.embedding());
            assertNotNull(weights.layer(0, 0));
        }
    }
}
