package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.onnx.OnnxProto.AttributeProto;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxWireScannerTest {
    @Test
    void findsTheOperatorsOfAnExportedModel() {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.LSTM, 2, 4, 5);
        OnnxWireScanner.Scan scan = OnnxWireScanner.scan(RandomModels.bytes(spec, 1));
        assertEquals(8, scan.irVersion());
        assertTrue(scan.operatorTypes().contains("LSTM"), scan.operatorTypes().toString());
        assertTrue(scan.externalLocations().isEmpty());
    }

    @Test
    void findsExternalDataInInitializersAndNestedSubgraphs() {
        TensorProto outer = external("w", "outer.bin");
        TensorProto inner = external("v", "../inner.bin");
        GraphProto body = GraphProto.newBuilder().setName("body").addInitializer(inner).build();
        NodeProto loop = NodeProto.newBuilder().setOpType("If")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch").setG(body))
                .addAttribute(AttributeProto.newBuilder().setName("value").setT(external("t", "attr.bin")))
                .build();
        ModelProto model = ModelProto.newBuilder().setIrVersion(8)
                .setGraph(GraphProto.newBuilder().setName("g").addInitializer(outer).addNode(loop)).build();
        OnnxWireScanner.Scan scan = OnnxWireScanner.scan(model.toByteArray());
        assertEquals(List.of("outer.bin", "../inner.bin", "attr.bin").stream().sorted().toList(),
                scan.externalLocations().stream().sorted().toList());
        assertTrue(scan.operatorTypes().contains("If"));
    }

    @Test
    void refusesWhatIsNotAnOnnxModel() {
        byte[] good = RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 5), 2);
        assertThrows(IllegalArgumentException.class, () -> OnnxWireScanner.scan(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> OnnxWireScanner.scan(Arrays.copyOf(good, good.length - 10)));
        assertThrows(IllegalArgumentException.class, () -> OnnxWireScanner.scan("hello world".getBytes()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxWireScanner.scan(ModelProto.newBuilder().setIrVersion(8).build().toByteArray()));
        assertTrue(e.getMessage().contains("no graph"), e.getMessage());
        byte[] runaway = new byte[12];
        Arrays.fill(runaway, (byte) 0xff);
        assertThrows(IllegalArgumentException.class, () -> OnnxWireScanner.scan(runaway));
    }

    private static TensorProto external(String name, String location) {
        return TensorProto.newBuilder().setName(name).setDataType(1).addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0")).build();
    }
}
