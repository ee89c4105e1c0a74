package io.stepwise.training.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class UnrolledRecurrenceTest {
    private static RecurrentNet net(NDManager manager, CellKind cell) {
        NetworkSpec spec = NetworkSpec.builder().setCell(cell).setHiddenSize(6).setTokenInput(11, 5)
                .setOutputSize(11).build();
        RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
        DjlRuntime.seed(3);
        net.initialize(manager);
        return net;
    }

    private static NDArray tokens(NDManager manager) {
        long[] ids = new long[3 * 9];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + 3) % 11;
        }
        return manager.create(ids, new Shape(3, 9));
    }

    @ParameterizedTest
    @EnumSource(value = CellKind.class, names = {"RNN_TANH", "LSTM", "GRU"})
    void unrolledMatchesTheFusedKernel(CellKind cell) {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = net(manager, cell);
            double diff = new UnrolledRecurrence(net).maxDifferenceFromFused(manager, tokens(manager));
            assertTrue(diff < 1e-5, cell + ": unrolled differs from the fused kernel by " + diff);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CellKind.class, names = {"RNN_TANH", "LSTM", "GRU"})
    void probeGradientEqualsTheGradientOfTheStateByFiniteDifferences(CellKind cell) {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = net(manager, cell);
            UnrolledRecurrence unrolled = new UnrolledRecurrence(net);
            NDArray x = tokens(manager);
            double analytic;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                UnrolledRecurrence.Unrolled u = unrolled.forward(manager, x);
                NDArray loss = u.outputs().get(new NDIndex(":, -1, 0")).sum();
                collector.backward(loss);
                // d loss / d h_2[0, 1]: a state 6 steps before the loss.
                analytic = u.probes().get(2).getGradient().getFloat(0, 1);
            }
            // Finite difference: nudge the state by adding eps to the probe's value through a second pass.
            double eps = 1e-2;
            double plus = lossWithNudge(manager, unrolled, x, eps);
            double minus = lossWithNudge(manager, unrolled, x, -eps);
            assertEquals((plus - minus) / (2 * eps), analytic, 2e-3 + 1e-2 * Math.abs(analytic));
            assertTrue(Math.abs(analytic) > 0, "the gradient 6 steps back should not be exactly 0");
        }
    }

    private static double lossWithNudge(NDManager manager, UnrolledRecurrence unrolled, NDArray x, double eps) {
        UnrolledRecurrence.Unrolled u = unrolled.forward(manager, x, 2, 0, 1, (float) eps);
        return u.outputs().get(new NDIndex(":, -1, 0")).sum().toType(DataType.FLOAT64, false).getDouble();
    }

    @Test
    void refusesBidirectionalNetworks() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(4).optBidirectional(true)
                    .setTokenInput(5, 3).optHead(HeadKind.FINAL_STATE).setOutputSize(2).build();
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            net.initialize(manager);
            assertThrows(IllegalArgumentException.class, () -> new UnrolledRecurrence(net));
        }
    }

    @Test
    void fusedForwardIsTheReference() {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = net(manager, CellKind.LSTM);
            NDArray x = tokens(manager);
            NDArray fused = net.forward(new ParameterStore(manager, false), new NDList(x), false).get(0);
            NDArray unrolled = new UnrolledRecurrence(net).forward(manager, x).outputs();
            assertEquals(fused.getShape(), unrolled.getShape());
        }
    }
}
