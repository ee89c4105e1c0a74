package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.onnx.OnnxProto.AttributeProto;
import io.stepwise.conversion.onnx.OnnxProto.AttributeProto.AttributeType;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.OperatorSetIdProto;
import io.stepwise.conversion.onnx.OnnxProto.SparseTensorProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto.DataType;
import io.stepwise.runtime.OnnxModelValidator.Format;
import java.nio.ByteBuffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** One rule per test, each on a small model crafted from protobuf (a generic graph, or an exported Stepwise file). */
class OnnxModelValidatorTest {
    private static final ModelLimits DEFAULTS = ModelLimits.defaults();

    // ------------------------------------------------------------------ helpers

    /** A foreign model: Identity of an input, plus whatever the caller adds to the graph. */
    static ModelProto.Builder foreign(Consumer<GraphProto.Builder> graph) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g")
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y"));
        graph.accept(g);
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g);
    }

    static TensorProto.Builder floats(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(b.array()));
        Arrays.stream(dims).forEach(t::addDims);
        return t;
    }

    static TensorProto.Builder longs(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(DataType.INT64.getNumber())
                .addDims(values.length);
        Arrays.stream(values).forEach(t::addInt64Data);
        return t;
    }

    static NodeProto.Builder node(String op, String name, String... io) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
        for (String s : io) {
            if (s.startsWith(">")) {
                n.addOutput(s.substring(1));
            } else {
                n.addInput(s);
            }
        }
        return n;
    }

    static String refused(ModelProto.Builder model, Format format) {
        return refused(model.build().toByteArray(), DEFAULTS, format);
    }

    static String refused(byte[] bytes, ModelLimits limits, Format format) {
        return assertThrows(ModelValidationException.class,
                () -> OnnxModelValidator.validate(bytes, limits, format)).getMessage();
    }

    static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "expected '" + p + "' in: " + message);
        }
    }

    static ModelProto.Builder stepwise(NetworkSpec spec) throws Exception {
        return ModelProto.parseFrom(RandomModels.bytes(spec, 7)).toBuilder();
    }

    static TensorProto.Builder initializer(ModelProto.Builder m, String name) {
        for (TensorProto.Builder t : m.getGraphBuilder().getInitializerBuilderList()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    // ------------------------------------------------------------------ tensors

    @Test
    void acceptsAPlainForeignModelAndReportsWhatItDeclares() {
        OnnxModelValidator.Result r = OnnxModelValidator.validate(foreign(g -> g.addInitializer(longs("k", 1, 2)))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("a").setValue("b")).build().toByteArray(),
                DEFAULTS, Format.FOREIGN);
        assertEquals(java.util.Map.of("a", "b"), r.metadata());
        assertEquals(java.util.Set.of("Identity"), r.operators());
        assertEquals(16, r.tensorBytes());
    }

    @Test
    void refusesRawDataShorterThanTheShape() {
        String m = refused(foreign(g -> g.addInitializer(floats("w", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)
                .setRawData(ByteString.copyFrom(new byte[4])))), Format.FOREIGN);
        assertContains(m, "initializer 'w'", "raw_data holds 4 bytes but FLOAT [2, 3] needs 24");
    }

    @Test
    void refusesRawDataLongerThanTheShape() {
        String m = refused(foreign(g -> g.addInitializer(floats("w", new long[] {1}, 1, 2))), Format.FOREIGN);
        assertContains(m, "raw_data holds 8 bytes but FLOAT [1] needs 4");
    }

    @Test
    void countsTypedValuesPackedAndUnpacked() {
        // int64_data is packed by protobuf-java; an unpacked copy (one varint per field) must count the same.
        TensorProto packed = longs("k", 5, 6, 7).build();
        assertEquals(3, packed.getInt64DataCount());
        OnnxModelValidator.validate(foreign(g -> g.addInitializer(packed)).build().toByteArray(), DEFAULTS,
                Format.FOREIGN);
        ByteArrayOutputStream unpacked = new ByteArrayOutputStream();
        byte[] head = TensorProto.newBuilder().setName("k").setDataType(7).addDims(4).build().toByteArray();
        unpacked.writeBytes(head);
        for (int v : new int[] {5, 6, 7}) {
            unpacked.write(7 << 3);
            unpacked.write(v);
        }
        byte[] tensor = unpacked.toByteArray();
        GraphProto graph = foreign(g -> { }).getGraph();
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        byte[] g = graph.toBuilder().build().toByteArray();
        ByteArrayOutputStream gWithTensor = new ByteArrayOutputStream();
        gWithTensor.writeBytes(g);
        gWithTensor.write(5 << 3 | 2);
        gWithTensor.write(tensor.length);
        gWithTensor.writeBytes(tensor);
        byte[] gb = gWithTensor.toByteArray();
        model.writeBytes(ModelProto.newBuilder().setIrVersion(8).build().toByteArray());
        model.write(7 << 3 | 2);
        model.write(gb.length);
        model.writeBytes(gb);
        String m = refused(model.toByteArray(), DEFAULTS, Format.FOREIGN);
        assertContains(m, "initializer 'k'", "int64_data holds 3 values but INT64 [4] needs 4");
    }

    @Test
    void refusesTypedDataOfTheWrongCount() {
        String m = refused(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("f").setDataType(1)
                .addDims(3).addFloatData(1f))), Format.FOREIGN);
        assertContains(m, "float_data holds 1 values but FLOAT [3] needs 3");
    }

    @Test
    void refusesATensorWithoutData() {
        String m = refused(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("e").setDataType(7)
                .addDims(1))), Format.FOREIGN);
        assertContains(m, "initializer 'e'", "has no data but INT64 [1] needs 1");
        // An empty shape needs no data.
        OnnxModelValidator.validate(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("e")
                .setDataType(7).addDims(0))).build().toByteArray(), DEFAULTS, Format.FOREIGN);
    }

    @Test
    void refusesTheWrongTypedFieldAndMixedStorage() {
        assertContains(refused(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("f").setDataType(1)
                .addDims(1).addInt64Data(3))), Format.FOREIGN), "int64_data cannot hold FLOAT data");
        assertContains(refused(foreign(g -> g.addInitializer(floats("f", new long[] {1}, 1).addFloatData(1))),
                Format.FOREIGN), "both raw_data and float_data");
        assertContains(refused(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("s").setDataType(8)
                .addDims(2).addStringData(ByteString.copyFromUtf8("a")))), Format.FOREIGN),
                "STRING [2] needs 2 string_data entries but has 1");
    }

    @Test
    void refusesNegativeDimensionsUnknownTypesAndOversizedShapes() {
        assertContains(refused(foreign(g -> g.addInitializer(floats("n", new long[] {-1}))), Format.FOREIGN),
                "initializer 'n'", "dimension 0 is -1");
        assertContains(refused(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("u").setDataType(99)
                .addDims(1))), Format.FOREIGN), "data_type 99 is not a type ONNX Runtime knows");
        assertContains(refused(foreign(g -> g.addInitializer(floats("r", new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1},
                1))), Format.FOREIGN), "9 dimensions; the limit is 8");
        assertContains(refused(foreign(g -> g.addInitializer(floats("big", new long[] {1L << 31, 1L << 31}))),
                Format.FOREIGN), "holds 4611686018427387904 elements", "maxTensorElements");
        assertContains(refused(foreign(g -> g.addInitializer(floats("huge", new long[] {1L << 40, 1L << 40}))),
                Format.FOREIGN), "more than 2^63");
        ModelLimits small = ModelLimits.builder().optMaxTensorBytes(8).build();
        assertContains(refused(foreign(g -> g.addInitializer(floats("w", new long[] {3}, 1, 2, 3))).build()
                .toByteArray(), small, Format.FOREIGN), "takes 12 bytes; the limit is 8");
        ModelLimits total = ModelLimits.builder().optMaxTotalTensorBytes(10).build();
        assertContains(refused(foreign(g -> g.addInitializer(floats("a", new long[] {2}, 1, 2))
                .addInitializer(floats("b", new long[] {2}, 1, 2))).build().toByteArray(), total, Format.FOREIGN),
                "initializer 'b'", "maxTotalTensorBytes");
    }

    @Test
    void refusesNonFiniteWeightsUnlessTheCallerAllowsThem() {
        ModelProto.Builder nan = foreign(g -> g.addInitializer(floats("w", new long[] {3}, 1, Float.NaN, 3)));
        assertContains(refused(nan, Format.FOREIGN), "initializer 'w'", "element 1 is NaN or infinite");
        OnnxModelValidator.validate(nan.build().toByteArray(), ModelLimits.builder().optFiniteWeights(false).build(),
                Format.FOREIGN);
        assertContains(refused(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("d").setDataType(11)
                .addDims(2).addDoubleData(1).addDoubleData(Double.NEGATIVE_INFINITY))), Format.FOREIGN),
                "element 1 is NaN or infinite");
        assertContains(refused(foreign(g -> g.addInitializer(TensorProto.newBuilder().setName("h").setDataType(10)
                .addDims(1).setRawData(ByteString.copyFrom(new byte[] {0, (byte) 0x7e})))), Format.FOREIGN),
                "initializer 'h'", "element 0 is NaN");
    }

    @Test
    void checksTensorsInConstantsAttributesAndSubgraphs() {
        TensorProto truncated = longs("t", 1, 2).clearInt64Data().addInt64Data(1).build();
        NodeProto.Builder constant = node("Constant", "c", ">k").addAttribute(AttributeProto.newBuilder()
                .setName("value").setType(AttributeType.TENSOR).setT(truncated));
        assertContains(refused(foreign(g -> g.addNode(constant)), Format.FOREIGN),
                "node 'c' (Constant) attribute 'value'", "int64_data holds 1 values but INT64 [2] needs 2");

        GraphProto body = GraphProto.newBuilder().setName("body").addInitializer(truncated).build();
        NodeProto.Builder loop = node("If", "branch", "cond", ">o").addAttribute(AttributeProto.newBuilder()
                .setName("then_branch").setType(AttributeType.GRAPH).setG(body));
        assertContains(refused(foreign(g -> g.addNode(loop)), Format.FOREIGN),
                "subgraph node 'branch' (If) attribute 'then_branch'", "initializer 't'");

        GraphProto nested = body.toBuilder().clearInitializer().build();
        for (int i = 0; i < 5; i++) {
            nested = GraphProto.newBuilder().setName("level" + i).addNode(node("If", "n" + i, "c", ">o")
                    .addAttribute(AttributeProto.newBuilder().setName("else_branch").setType(AttributeType.GRAPH)
                            .setG(nested))).build();
        }
        GraphProto deep = nested;
        assertContains(refused(foreign(g -> g.addNode(node("If", "top", "c", ">o").addAttribute(
                AttributeProto.newBuilder().setName("then_branch").setType(AttributeType.GRAPH).setG(deep)))),
                Format.FOREIGN), "subgraphs nest 5 deep; the limit is 4");
    }

    @Test
    void boundsTheDenseShapeOfSparseTensors() {
        SparseTensorProto sparse = SparseTensorProto.newBuilder().addDims(1L << 31).addDims(4)
                .setValues(floats("v", new long[] {1}, 1)).setIndices(longs("i", 0)).build();
        NodeProto.Builder constant = node("Constant", "s", ">k").addAttribute(AttributeProto.newBuilder()
                .setName("sparse_value").setType(AttributeType.SPARSE_TENSOR).setSparseTensor(sparse));
        assertContains(refused(foreign(g -> g.addNode(constant)), Format.FOREIGN),
                "attribute 'sparse_value'", "[2147483648, 4] holds 8589934592 elements");
    }

    // ------------------------------------------------------------------ sizes, metadata, names

    @Test
    void boundsNodesMetadataAndStrings() {
        ModelLimits two = ModelLimits.builder().optMaxNodes(2).build();
        assertContains(refused(foreign(g -> g.addNode(node("Identity", "a", "y", ">z"))
                .addNode(node("Identity", "b", "z", ">w"))).build().toByteArray(), two, Format.FOREIGN),
                "more than 2 nodes");

        ModelProto.Builder many = foreign(g -> { });
        for (int i = 0; i <= 1_000; i++) {
            many.addMetadataProps(StringStringEntryProto.newBuilder().setKey("k" + i).setValue("v"));
        }
        assertContains(refused(many, Format.FOREIGN), "metadata_props: more than 1000 entries", "quadratic");

        ModelProto.Builder twice = foreign(g -> { })
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("k").setValue("1"))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("k").setValue("2"));
        assertContains(refused(twice, Format.FOREIGN), "metadata key 'k' occurs twice");

        ModelLimits bytes = ModelLimits.builder().optMaxMetadataBytes(10).build();
        assertContains(refused(foreign(g -> { }).addMetadataProps(StringStringEntryProto.newBuilder()
                .setKey("key").setValue("a long value")).build().toByteArray(), bytes, Format.FOREIGN),
                "exceed 10 bytes");

        String longName = "n".repeat(5000);
        assertContains(refused(foreign(g -> g.addNode(node("Identity", longName, "y", ">z"))), Format.FOREIGN),
                "node name of 5000 bytes exceeds 4096");
        ModelLimits shortStrings = ModelLimits.builder().optMaxStringBytes(16).build();
        assertContains(refused(foreign(g -> g.setDocString("x".repeat(17))).build().toByteArray(), shortStrings,
                Format.FOREIGN), "graph doc_string of 17 bytes exceeds 16");
        ModelLimits tiny = ModelLimits.builder().optMaxModelBytes(10).build();
        assertContains(refused(foreign(g -> { }).build().toByteArray(), tiny, Format.FOREIGN), "maxModelBytes");
    }

    @Test
    void refusesMalformedBytesAndRepeatedSingularFields() {
        assertContains(refused(new byte[0], DEFAULTS, Format.FOREIGN), "empty");
        byte[] model = foreign(g -> { }).build().toByteArray();
        assertContains(refused(Arrays.copyOf(model, model.length - 3), DEFAULTS, Format.FOREIGN),
                "not a valid ONNX model");
        byte[] graph = foreign(g -> { }).getGraph().toByteArray();
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(model);
        two.write(7 << 3 | 2);
        two.write(graph.length);
        two.writeBytes(graph);
        assertContains(refused(two.toByteArray(), DEFAULTS, Format.FOREIGN), "ModelProto: field 7 occurs twice");
    }

    // ------------------------------------------------------------------ operators of foreign models

    @Test
    void foreignModelsUseOnlyAllowedOperators() {
        ModelProto.Builder model = foreign(g -> g.addInitializer(longs("shape", 2, 3))
                .addNode(node("ConstantOfShape", "zeros", "shape", ">z")));
        String m = refused(model, Format.FOREIGN);
        assertContains(m, "node 'zeros' (ConstantOfShape) uses operator 'ConstantOfShape'",
                "optAllowOperators(\"ConstantOfShape\")");
        ModelLimits widened = DEFAULTS.toBuilder().optAllowOperators("ConstantOfShape").build();
        OnnxModelValidator.validate(model.build().toByteArray(), widened, Format.FOREIGN);

        assertContains(refused(foreign(g -> g.addNode(node("FusedMatMul", "f", "a", "b", ">c")
                .setDomain("com.microsoft"))), Format.FOREIGN), "operator 'com.microsoft:FusedMatMul'");
    }

    @Test
    void constantsThatSizeAnOutputAreBoundedWhenSuchOperatorsAreAllowed() {
        ModelLimits widened = DEFAULTS.toBuilder().optAllowOperators("ConstantOfShape", "Expand", "Tile", "Range",
                "Loop").build();
        byte[] ofShape = foreign(g -> g.addInitializer(longs("shape", 1L << 31))
                .addNode(node("ConstantOfShape", "zeros", "shape", ">z"))).build().toByteArray();
        assertContains(refused(ofShape, widened, Format.FOREIGN), "node 'zeros' (ConstantOfShape)",
                "constant shape [2147483648] asks for 2147483648 elements");
        byte[] expand = foreign(g -> g.addNode(node("Constant", "c", ">s").addAttribute(AttributeProto.newBuilder()
                .setName("value_ints").setType(AttributeType.INTS).addInts(1 << 20).addInts(1 << 20)))
                .addNode(node("Expand", "e", "x", "s", ">y2"))).build().toByteArray();
        assertContains(refused(expand, widened, Format.FOREIGN), "node 'e' (Expand)", "1099511627776 elements");
        byte[] range = foreign(g -> g.addInitializer(longs("a", 0)).addInitializer(longs("b", 1L << 40))
                .addInitializer(longs("d", 1)).addNode(node("Range", "r", "a", "b", "d", ">y3"))).build()
                .toByteArray();
        assertContains(refused(range, widened, Format.FOREIGN), "node 'r' (Range)", "1099511627776 elements");

        GraphProto body = GraphProto.newBuilder().setName("body").build();
        byte[] loop = foreign(g -> g.addInitializer(longs("m", 1L << 62)).addNode(node("Loop", "forever", "m", "",
                ">out").addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeType.GRAPH)
                .setG(body)))).build().toByteArray();
        assertContains(refused(loop, widened, Format.FOREIGN), "node 'forever' (Loop)",
                "trip count 4611686018427387904 exceeds 100000");
        byte[] unbounded = foreign(g -> g.addNode(node("Loop", "w", "", "cond", ">out").addAttribute(
                AttributeProto.newBuilder().setName("body").setType(AttributeType.GRAPH).setG(body)))).build()
                .toByteArray();
        assertContains(refused(unbounded, widened, Format.FOREIGN), "needs a constant trip count");

        assertContains(refused(foreign(g -> g.addNode(node("GRU", "cell", "x", "w", "r", ">y4")
                .addAttribute(AttributeProto.newBuilder().setName("hidden_size").setType(AttributeType.INT)
                        .setI(1L << 40)))), Format.FOREIGN), "hidden_size 1099511627776 is outside");
    }

    // ------------------------------------------------------------------ Stepwise files

    @Test
    void everyExportedArchitectureIsAValidStepwiseFile() {
        int checked = 0;
        for (CellKind cell : CellKind.values()) {
            for (int layers = 1; layers <= 3; layers++) {
                for (NetworkSpec spec : new NetworkSpec[] {RandomModels.tokenSpec(cell, layers, 3, 5),
                    RandomModels.featureSpec(cell, layers, 3, 2, 2),
                    RandomModels.classifierSpec(cell, layers, 3, 5, 2, false),
                    RandomModels.classifierSpec(cell, layers, 3, 5, 2, true)}) {
                    byte[] bytes = RandomModels.bytes(spec, layers);
                    OnnxModelValidator.validate(bytes, DEFAULTS, Format.STEPWISE);
                    OnnxModelValidator.validate(bytes, DEFAULTS, Format.FOREIGN);
                    checked++;
                }
            }
        }
        assertEquals(48, checked);
    }

    @Test
    void aBufferIsReadInPlaceAndGivesWhatItsArrayGives() throws Exception {
        byte[] valid = RandomModels.bytes(RandomModels.featureSpec(CellKind.LSTM, 2, 3, 2, 2), 3);
        assertEquals(OnnxModelValidator.validate(valid, DEFAULTS, Format.STEPWISE),
                OnnxModelValidator.validate(offsetDirect(valid), DEFAULTS, Format.STEPWISE));
        byte[] nan = HostileModelsTest.fixture("nan_weights.onnx");
        ByteBuffer buffer = offsetDirect(nan);
        assertEquals(refused(nan, DEFAULTS, Format.STEPWISE), assertThrows(ModelValidationException.class,
                () -> OnnxModelValidator.validate(buffer, DEFAULTS, Format.STEPWISE)).getMessage());
        assertEquals(7, buffer.position(), "the caller's buffer is not moved");
    }

    /** {@code bytes} in a read-only direct buffer (as a memory map is) behind 7 bytes of junk, positioned on them. */
    private static ByteBuffer offsetDirect(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + 14);
        b.put(new byte[] {9, 9, 9, 9, 9, 9, 9}).put(bytes).put(new byte[] {9, 9, 9, 9, 9, 9, 9});
        return b.position(7).limit(7 + bytes.length).asReadOnlyBuffer();
    }

    @Test
    void theCommittedModelsAreValidStepwiseFiles() throws Exception {
        java.nio.file.Path models = java.nio.file.Path.of("..", "models");
        int n = 0;
        try (var files = java.nio.file.Files.list(models)) {
            for (java.nio.file.Path p : files.filter(f -> f.toString().endsWith(".onnx")).sorted().toList()) {
                OnnxModelValidator.validate(java.nio.file.Files.readAllBytes(p), DEFAULTS, Format.STEPWISE);
                n++;
            }
        }
        assertTrue(n >= 9, "models found: " + n);
    }

    @Test
    void thePyTorchFixturesAreValidForeignModels() throws Exception {
        for (String name : new String[] {"lstm_lm.onnx", "gru_features.onnx"}) {
            try (var in = getClass().getResourceAsStream("/fixtures/" + name)) {
                OnnxModelValidator.validate(in.readAllBytes(), DEFAULTS, Format.FOREIGN);
            }
        }
    }

    @Test
    void aStepwiseFileMustCarryItsMetadata() throws Exception {
        ModelProto.Builder m = stepwise(RandomModels.tokenSpec(CellKind.GRU, 1, 3, 5)).clearMetadataProps();
        assertContains(refused(m, Format.STEPWISE), "no Stepwise metadata", "ModelSignature");
    }

    @Test
    void metadataThatDisagreesWithTheGraphIsRefused() throws Exception {
        ModelProto.Builder m = stepwise(RandomModels.tokenSpec(CellKind.LSTM, 1, 3, 5));
        for (StringStringEntryProto.Builder e : m.getMetadataPropsBuilderList()) {
            if (e.getKey().equals("stepwise.hidden_size")) {
                e.setValue("64");
            }
        }
        assertContains(refused(m, Format.STEPWISE), "graph inputs are", "h0 FLOAT [1, batch, 3]",
                "h0 FLOAT [1, batch, 64]");
    }

    @Test
    void aChangedInitializerShapeOrConstantIsRefused() throws Exception {
        NetworkSpec spec = RandomModels.featureSpec(CellKind.RNN_TANH, 2, 3, 2, 2);
        ModelProto.Builder m = stepwise(spec);
        initializer(m, "layer1_state_end").setRawData(ByteString.copyFrom(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(7).array()));
        assertContains(refused(m, Format.STEPWISE), "initializer 'layer1_state_end' holds [7] but the exporter writes [2]");

        ModelProto.Builder r = stepwise(spec);
        initializer(r, "head_bias").clearDims().addDims(1).addDims(2);
        assertContains(refused(r, Format.STEPWISE), "initializer 'head_bias' is FLOAT [1, 2]", "needs FLOAT [2]");

        ModelProto.Builder extra = stepwise(spec);
        extra.getGraphBuilder().addInitializer(floats("spare", new long[] {1}, 0));
        assertContains(refused(extra, Format.STEPWISE), "unexpected [spare]");
    }

    @Test
    void anExtraOrChangedNodeIsRefused() throws Exception {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.GRU, 1, 3, 5);
        ModelProto.Builder extra = stepwise(spec);
        extra.getGraphBuilder().addNode(node("Identity", "spy", "hn", ">copy"));
        assertContains(refused(extra, Format.STEPWISE), "node 9 ('spy', Identity) is one more than the 9 nodes");

        ModelProto.Builder swapped = stepwise(spec);
        swapped.getGraphBuilder().getNodeBuilder(1).setOpType("Identity").clearAttribute();
        assertContains(refused(swapped, Format.STEPWISE), "node 1", "expected operator Transpose");

        ModelProto.Builder attr = stepwise(spec);
        for (NodeProto.Builder n : attr.getGraphBuilder().getNodeBuilderList()) {
            if (n.getOpType().equals("GRU")) {
                n.addAttribute(AttributeProto.newBuilder().setName("clip").setType(AttributeType.FLOAT).setF(1));
            }
        }
        assertContains(refused(attr, Format.STEPWISE), "('layer0_gru', GRU): attributes", "clip");

        ModelProto.Builder rewired = stepwise(spec);
        rewired.getGraphBuilder().getNodeBuilder(rewired.getGraphBuilder().getNodeCount() - 1).setInput(0,
                "layer0_gru_Y");
        assertContains(refused(rewired, Format.STEPWISE), "inputs [layer0_gru_Y]", "the exporter writes [layer0_gru_Y_h]");
    }

    @Test
    void aStepwiseFileHasNoExtraOpsetsFunctionsOrValueInfo() throws Exception {
        NetworkSpec spec = RandomModels.featureSpec(CellKind.LSTM, 1, 3, 2, 2);
        ModelProto.Builder opsets = stepwise(spec).addOpsetImport(OperatorSetIdProto.newBuilder()
                .setDomain("com.microsoft").setVersion(1));
        assertContains(refused(opsets, Format.STEPWISE), "opset imports");
        ModelProto.Builder info = stepwise(spec);
        info.getGraphBuilder().addValueInfo(info.getGraph().getInput(0));
        assertContains(refused(info, Format.STEPWISE), "1 value_info");
    }

    @Test
    void nanWeightsInAStepwiseFileAreRefusedWhateverTheLimits() throws Exception {
        ModelProto.Builder m = stepwise(RandomModels.featureSpec(CellKind.GRU, 1, 3, 2, 2));
        byte[] raw = initializer(m, "layer0_R").getRawData().toByteArray();
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putFloat(8, Float.NaN);
        initializer(m, "layer0_R").setRawData(ByteString.copyFrom(raw));
        assertContains(refused(m.build().toByteArray(), ModelLimits.builder().optFiniteWeights(false).build(),
                Format.STEPWISE), "initializer 'layer0_R'", "element 2 is NaN or infinite");
    }
}
