package io.stepwise.conversion;

import io.stepwise.conversion.OnnxGraphBuilder.Dim;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto.DataType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxGraphBuilderTest {

    private static OnnxGraphBuilder graphWithInput() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("test", 17);
        g.input("x", DataType.FLOAT, Dim.named("batch"), Dim.of(2));
        return g;
    }

    @Test
    void namesAreUniqueAndSingleOutputsTakeTheLabel() {
        OnnxGraphBuilder g = graphWithInput();
        String a = g.floatInitializer("w", new float[]{1, 2}, 2);
        String b = g.floatInitializer("w", new float[]{3, 4}, 2);
        assertEquals("w", a);
        assertEquals("w_1", b);
        String sum = g.node(OnnxOperator.ADD, "sum", List.of("x", a), Map.of()).output();
        assertEquals("sum", sum);
        OnnxGraphBuilder.Node gru = g.node(OnnxOperator.GRU, "sum", List.of("x", a, b), Map.of("hidden_size", 1));
        assertEquals("sum_1_Y_h", gru.output("Y_h"));
        g.output("sum", DataType.FLOAT, Dim.named("batch"), Dim.of(2));
        GraphProto built = g.build();
        assertEquals(List.of("sum", "sum_1"), built.getNodeList().stream().map(NodeProto::getName).toList());
        assertEquals("batch", built.getOutput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
    }

    @Test
    void omittedOptionalInputsAreEmptyNames() {
        OnnxGraphBuilder g = graphWithInput();
        OnnxGraphBuilder.Node lstm = g.node(OnnxOperator.LSTM, "lstm",
                List.of("x", "x", "x", OnnxGraphBuilder.OMITTED, OnnxGraphBuilder.OMITTED, "x"),
                Map.of("hidden_size", 1));
        assertEquals(3, lstm.outputNames().size());
        assertEquals(List.of("x", "x", "x", "", "", "x"), g.build().getNode(0).getInputList());
    }

    @Test
    void malformedNodesAreRejected() {
        OnnxGraphBuilder g = graphWithInput();
        assertFails("takes 2..2 inputs", () -> g.node(OnnxOperator.ADD, "a", List.of("x"), Map.of()));
        assertFails("'y' is not a value defined earlier",
                () -> g.node(OnnxOperator.ADD, "a", List.of("x", "y"), Map.of()));
        assertFails("requires attribute 'perm'", () -> g.node(OnnxOperator.TRANSPOSE, "t", List.of("x"), Map.of()));
        assertFails("has no attribute 'axes'",
                () -> g.node(OnnxOperator.TRANSPOSE, "t", List.of("x"), Map.of("perm", new long[]{1, 0},
                        "axes", 1)));
        assertFails("'perm' must be INTS but got int[]",
                () -> g.node(OnnxOperator.TRANSPOSE, "t", List.of("x"), Map.of("perm", new int[]{1, 0})));
        assertFails("leave trailing omitted inputs out", () -> g.node(OnnxOperator.RNN, "r",
                List.of("x", "x", "x", OnnxGraphBuilder.OMITTED), Map.of("hidden_size", 1)));
        assertFails("input 1 '' is not a value", () -> g.node(OnnxOperator.RNN, "r",
                List.of("x", OnnxGraphBuilder.OMITTED, "x"), Map.of("hidden_size", 1)));
        assertFails("not produced by any node", () -> g.output("missing", DataType.FLOAT));
        assertFails("already used", () -> g.input("x", DataType.FLOAT));
        assertFails("holds 4 values but got 3", () -> g.floatInitializer("w", new float[3], 2, 2));
        assertEquals(0, g.build().getNodeCount(), "a rejected node must not be added");
        assertFails("'t' is not a value", () -> g.node(OnnxOperator.ADD, "a", List.of("x", "t"), Map.of()));

        OnnxGraphBuilder old = new OnnxGraphBuilder("old", 13);
        old.input("x", DataType.FLOAT);
        assertFails("opset 14 form but the graph targets opset 13",
                () -> old.node(OnnxOperator.LSTM, "l", List.of("x", "x", "x"), Map.of("hidden_size", 1)));
    }

    private static void assertFails(String fragment, Runnable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
