package io.stepwise.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.stepwise.conversion.onnx.OnnxProto.AttributeProto;
import io.stepwise.conversion.onnx.OnnxProto.AttributeProto.AttributeType;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorShapeProto;
import io.stepwise.conversion.onnx.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Structure-aware mutations of an ONNX model: edits of protobuf fields that keep the file parseable so that the
 * case reaches deep into the loader and ONNX Runtime — truncate or extend a tensor's data, change its dimensions,
 * data type or storage, overwrite weights and shape constants with extreme values, delete, duplicate, rewire or
 * retype nodes, change attributes, edit graph inputs and outputs, flood or corrupt metadata, change the opset, and
 * splice in the constructs of issue 16 ({@code ConstantOfShape}, {@code Expand}, {@code Tile}, {@code Range},
 * {@code Loop}) with random sizes. A quarter of the cases also get byte-level mutations after serialization.
 */
final class ModelMutator {
    private static final long[] INTERESTING_DIMS = {0, 1, 2, 3, -1, -2, 7, 255, 1L << 16, Integer.MAX_VALUE,
        1L << 31, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final String[] OPS = {"Identity", "Loop", "Scan", "If", "ConstantOfShape", "Expand", "Tile",
        "Range", "Reshape", "Transpose", "Gather", "Slice", "Concat", "MatMul", "Add", "Softmax", "LSTM", "GRU", "RNN",
        "Squeeze", "Unsqueeze", "Cast", "Shape", "Resize", "Pad", "NonZero", "Unique", "TopK", "NoSuchOp", "Einsum"};
    private static final String[] METADATA_VALUES = {"0", "-1", "1", "2147483647", "-2147483648", "1000000000",
        "9999999999999", "", "x", "[]", "{}", "[\"a\"", "{\"horizon\":2147483647}", "{\"window\":-5}", "true",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]", "lstm", "gru", "rnn_relu",
        "tokens", "features", "final_state", "per_step", "[\"h0\",\"c0\"]", "[\"hn\"]", "NaN", "1e309"};

    private final Random random;
    private final List<String> log;

    ModelMutator(Random random, List<String> log) {
        this.random = random;
        this.log = log;
    }

    byte[] mutate(byte[] seed) {
        ModelProto.Builder m;
        try {
            m = ModelProto.parseFrom(seed).toBuilder();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a seed model does not parse: " + e.getMessage(), e);
        }
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            mutateOnce(m);
        }
        byte[] bytes = m.build().toByteArray();
        if (random.nextInt(4) == 0) {
            bytes = new ByteMutator(random, log).mutateBytes(bytes);
        }
        return bytes;
    }

    private void mutateOnce(ModelProto.Builder m) {
        GraphProto.Builder g = m.getGraphBuilder();
        switch (random.nextInt(20)) {
            case 0 -> tensor(g, this::truncateRaw);
            case 1 -> tensor(g, this::extendRaw);
            case 2 -> tensor(g, this::dims);
            case 3 -> tensor(g, t -> {
                int type = random.nextInt(26);
                log.add("dtype(" + t.getName() + "→" + type + ")");
                t.setDataType(type);
            });
            case 4 -> tensor(g, this::toTyped);
            case 5 -> tensor(g, this::values);
            case 6 -> nodes(g);
            case 7 -> retype(g);
            case 8 -> rewire(g);
            case 9 -> attribute(g);
            case 10 -> {
                if (g.getInitializerCount() > 0) {
                    int i = random.nextInt(g.getInitializerCount());
                    log.add("delete-initializer(" + g.getInitializer(i).getName() + ")");
                    g.removeInitializer(i);
                }
            }
            case 11, 12 -> metadata(m);
            case 13 -> flood(m);
            case 14 -> io(g);
            case 15 -> hostile(g);
            case 16 -> {
                long[] versions = {0, 1, 7, 13, 14, 17, 21, 22, 100, Integer.MAX_VALUE};
                long v = versions[random.nextInt(versions.length)];
                if (random.nextBoolean() && m.getOpsetImportCount() > 0) {
                    log.add("opset(" + v + ")");
                    m.getOpsetImportBuilder(0).setVersion(v);
                } else {
                    log.add("ir(" + v + ")");
                    m.setIrVersion(v);
                }
            }
            default -> tensor(g, this::values);
        }
    }

    private interface TensorEdit {
        void edit(TensorProto.Builder t);
    }

    private void tensor(GraphProto.Builder g, TensorEdit edit) {
        if (g.getInitializerCount() > 0) {
            edit.edit(g.getInitializerBuilder(random.nextInt(g.getInitializerCount())));
        }
    }

    private void truncateRaw(TensorProto.Builder t) {
        int len = t.getRawData().size();
        if (len == 0) {
            return;
        }
        int[] choices = {0, 1, 4, len / 2, len - 1, random.nextInt(len)};
        int keep = Math.max(0, choices[random.nextInt(choices.length)]);
        log.add("truncate-raw(" + t.getName() + " " + len + "→" + keep + ")");
        t.setRawData(t.getRawData().substring(0, Math.min(keep, len)));
    }

    private void extendRaw(TensorProto.Builder t) {
        byte[] extra = new byte[1 + random.nextInt(64)];
        random.nextBytes(extra);
        log.add("extend-raw(" + t.getName() + " +" + extra.length + ")");
        t.setRawData(t.getRawData().concat(ByteString.copyFrom(extra)));
    }

    private void dims(TensorProto.Builder t) {
        List<Long> dims = new ArrayList<>(t.getDimsList());
        int what = random.nextInt(4);
        if (what == 0 || dims.isEmpty()) {
            dims.add(random.nextInt(dims.size() + 1), INTERESTING_DIMS[random.nextInt(INTERESTING_DIMS.length)]);
        } else if (what == 1) {
            dims.remove(random.nextInt(dims.size()));
        } else {
            int i = random.nextInt(dims.size());
            long d = dims.get(i);
            long[] options = {d + 1, d - 1, d * 2, INTERESTING_DIMS[random.nextInt(INTERESTING_DIMS.length)]};
            dims.set(i, options[random.nextInt(options.length)]);
        }
        log.add("dims(" + t.getName() + "→" + dims + ")");
        t.clearDims().addAllDims(dims);
    }

    /** Moves raw data into the typed field of the declared type, with a count that may differ. */
    private void toTyped(TensorProto.Builder t) {
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int delta = random.nextInt(3) - 1;
        t.clearRawData();
        if (t.getDataType() == TensorProto.DataType.INT64.getNumber()) {
            while (raw.remaining() >= 8) {
                t.addInt64Data(raw.getLong());
            }
            if (delta > 0) {
                t.addInt64Data(7);
            }
        } else {
            while (raw.remaining() >= 4) {
                t.addFloatData(raw.getFloat());
            }
            if (delta > 0) {
                t.addFloatData(1f);
            }
        }
        if (delta < 0 && t.getFloatDataCount() > 0) {
            List<Float> kept = new ArrayList<>(t.getFloatDataList().subList(0, t.getFloatDataCount() - 1));
            t.clearFloatData().addAllFloatData(kept);
        }
        log.add("to-typed(" + t.getName() + " " + (delta > 0 ? "+1" : delta < 0 ? "-1" : "=") + ")");
    }

    /** Overwrites some elements with extreme values. */
    private void values(TensorProto.Builder t) {
        byte[] raw = t.getRawData().toByteArray();
        if (raw.length < 4) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        boolean longs = t.getDataType() == TensorProto.DataType.INT64.getNumber() && raw.length >= 8;
        int count = 1 + random.nextInt(random.nextInt(8) == 0 ? Math.max(1, raw.length / 4) : 3);
        for (int i = 0; i < count; i++) {
            if (longs) {
                b.putLong(8 * random.nextInt(raw.length / 8), INTERESTING_DIMS[random.nextInt(INTERESTING_DIMS.length)]);
            } else {
                float[] extreme = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f,
                    Float.MIN_VALUE, 0f, (float) random.nextGaussian() * 100};
                b.putFloat(4 * random.nextInt(raw.length / 4), extreme[random.nextInt(extreme.length)]);
            }
        }
        log.add("values(" + t.getName() + " ×" + count + ")");
        t.setRawData(ByteString.copyFrom(raw));
    }

    private void nodes(GraphProto.Builder g) {
        if (g.getNodeCount() == 0) {
            return;
        }
        int i = random.nextInt(g.getNodeCount());
        switch (random.nextInt(3)) {
            case 0 -> {
                log.add("delete-node(" + g.getNode(i).getName() + ")");
                g.removeNode(i);
            }
            case 1 -> {
                log.add("duplicate-node(" + g.getNode(i).getName() + ")");
                g.addNode(random.nextInt(g.getNodeCount() + 1), g.getNode(i));
            }
            default -> {
                int j = random.nextInt(g.getNodeCount());
                NodeProto a = g.getNode(i);
                log.add("swap-nodes(" + i + "," + j + ")");
                g.setNode(i, g.getNode(j));
                g.setNode(j, a);
            }
        }
    }

    private void retype(GraphProto.Builder g) {
        if (g.getNodeCount() == 0) {
            return;
        }
        NodeProto.Builder n = g.getNodeBuilder(random.nextInt(g.getNodeCount()));
        String op = OPS[random.nextInt(OPS.length)];
        log.add("retype(" + n.getName() + " " + n.getOpType() + "→" + op + ")");
        n.setOpType(op);
        if (random.nextInt(4) == 0) {
            n.setDomain(random.nextBoolean() ? "com.microsoft" : "ai.onnx.ml");
        }
    }

    private void rewire(GraphProto.Builder g) {
        if (g.getNodeCount() == 0) {
            return;
        }
        NodeProto.Builder n = g.getNodeBuilder(random.nextInt(g.getNodeCount()));
        List<String> values = new ArrayList<>(List.of("", "nope", "h0", "output"));
        g.getInitializerList().forEach(t -> values.add(t.getName()));
        g.getNodeList().forEach(x -> values.addAll(x.getOutputList()));
        String v = values.get(random.nextInt(values.size()));
        if (n.getInputCount() > 0 && random.nextInt(3) > 0) {
            int i = random.nextInt(n.getInputCount());
            log.add("rewire-input(" + n.getName() + "[" + i + "]→" + v + ")");
            n.setInput(i, v);
        } else if (random.nextBoolean()) {
            log.add("add-input(" + n.getName() + "+" + v + ")");
            n.addInput(v);
        } else if (n.getOutputCount() > 0) {
            int i = random.nextInt(n.getOutputCount());
            log.add("rewire-output(" + n.getName() + "[" + i + "]→" + v + ")");
            n.setOutput(i, v);
        }
    }

    private void attribute(GraphProto.Builder g) {
        if (g.getNodeCount() == 0) {
            return;
        }
        NodeProto.Builder n = g.getNodeBuilder(random.nextInt(g.getNodeCount()));
        long v = INTERESTING_DIMS[random.nextInt(INTERESTING_DIMS.length)];
        if (n.getAttributeCount() > 0 && random.nextInt(4) > 0) {
            AttributeProto.Builder a = n.getAttributeBuilder(random.nextInt(n.getAttributeCount()));
            if (a.getIntsCount() > 0) {
                a.setInts(random.nextInt(a.getIntsCount()), v);
            } else if (a.getStringsCount() > 0) {
                a.setStrings(random.nextInt(a.getStringsCount()), ByteString.copyFromUtf8(
                        random.nextBoolean() ? "Sigmoid" : "Nope"));
            } else if (a.hasS()) {
                a.setS(ByteString.copyFromUtf8(random.nextBoolean() ? "reverse" : "sideways"));
            } else if (random.nextInt(5) == 0) {
                n.removeAttribute(random.nextInt(n.getAttributeCount()));
                log.add("remove-attribute(" + n.getName() + ")");
                return;
            } else {
                a.setI(v);
            }
            log.add("attribute(" + n.getName() + "." + a.getName() + "→" + v + ")");
        } else {
            String[] names = {"hidden_size", "axis", "layout", "clip", "direction", "perm", "allowzero",
                "linear_before_reset", "input_forget"};
            String name = names[random.nextInt(names.length)];
            log.add("add-attribute(" + n.getName() + "." + name + "=" + v + ")");
            n.addAttribute(AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v));
        }
    }

    private void metadata(ModelProto.Builder m) {
        if (m.getMetadataPropsCount() == 0) {
            return;
        }
        int i = random.nextInt(m.getMetadataPropsCount());
        StringStringEntryProto.Builder e = m.getMetadataPropsBuilder(i);
        if (random.nextInt(6) == 0) {
            log.add("delete-metadata(" + e.getKey() + ")");
            m.removeMetadataProps(i);
            return;
        }
        String v = METADATA_VALUES[random.nextInt(METADATA_VALUES.length)];
        log.add("metadata(" + e.getKey() + "=" + v + ")");
        e.setValue(v);
    }

    private void flood(ModelProto.Builder m) {
        int[] counts = {2, 50, 900, 1500, 4000};
        int n = counts[random.nextInt(counts.length)];
        boolean duplicate = random.nextBoolean() && m.getMetadataPropsCount() > 0;
        log.add("flood(" + n + (duplicate ? " duplicate keys" : "") + ")");
        for (int i = 0; i < n; i++) {
            String key = duplicate ? m.getMetadataProps(i % m.getMetadataPropsCount()).getKey() : "flood." + i;
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue("v" + i));
        }
    }

    private void io(GraphProto.Builder g) {
        boolean input = random.nextBoolean();
        int count = input ? g.getInputCount() : g.getOutputCount();
        if (count == 0) {
            return;
        }
        ValueInfoProto.Builder v = input ? g.getInputBuilder(random.nextInt(count))
                : g.getOutputBuilder(random.nextInt(count));
        switch (random.nextInt(4)) {
            case 0 -> {
                int type = random.nextInt(17);
                log.add("io-type(" + v.getName() + "→" + type + ")");
                v.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
            }
            case 1 -> {
                TensorShapeProto.Builder s = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                if (s.getDimCount() > 0) {
                    long d = INTERESTING_DIMS[random.nextInt(INTERESTING_DIMS.length)];
                    log.add("io-dim(" + v.getName() + "→" + d + ")");
                    s.getDimBuilder(random.nextInt(s.getDimCount())).setDimValue(d);
                }
            }
            case 2 -> {
                log.add("io-rank(" + v.getName() + ")");
                v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().addDim(
                        TensorShapeProto.Dimension.newBuilder().setDimParam("extra"));
            }
            default -> {
                log.add("io-rename(" + v.getName() + ")");
                v.setName(random.nextBoolean() ? "renamed" : "h0");
            }
        }
    }

    /** Splices an amplifying construct of issue 16 into the step path, with a random size. */
    private void hostile(GraphProto.Builder g) {
        String output = null;
        for (NodeProto.Builder n : g.getNodeBuilderList()) {
            for (int i = 0; i < n.getOutputCount(); i++) {
                if (n.getOutput(i).equals("output")) {
                    n.setOutput(i, "output_before");
                    output = "output_before";
                }
            }
        }
        if (output == null) {
            return;
        }
        long size = new long[] {1, 1000, 1L << 20, 1L << 31, 1L << 40, 1L << 62}[random.nextInt(6)];
        String term;
        switch (random.nextInt(4)) {
            case 0 -> {
                g.addInitializer(longs("fz_shape", size));
                g.addNode(NodeProto.newBuilder().setOpType("ConstantOfShape").setName("fz_zeros").addInput("fz_shape")
                        .addOutput("fz_zeros"));
                g.addNode(reduce("fz_zeros", "fz_term"));
                term = "fz_term";
                log.add("hostile(ConstantOfShape " + size + ")");
            }
            case 1 -> {
                g.addInitializer(longs("fz_shape", size, 1));
                g.addNode(NodeProto.newBuilder().setOpType("Expand").setName("fz_expand").addInput("h0")
                        .addInput("fz_shape").addOutput("fz_big"));
                g.addNode(reduce("fz_big", "fz_term"));
                term = "fz_term";
                log.add("hostile(Expand " + size + ")");
            }
            case 2 -> {
                g.addInitializer(longs("fz_start", 0)).addInitializer(longs("fz_limit", size))
                        .addInitializer(longs("fz_delta", 1));
                g.addNode(NodeProto.newBuilder().setOpType("Range").setName("fz_range").addInput("fz_start")
                        .addInput("fz_limit").addInput("fz_delta").addOutput("fz_range"));
                g.addNode(NodeProto.newBuilder().setOpType("Cast").setName("fz_cast").addInput("fz_range")
                        .addOutput("fz_floats").addAttribute(AttributeProto.newBuilder().setName("to")
                                .setType(AttributeType.INT).setI(1)));
                g.addNode(reduce("fz_floats", "fz_term"));
                term = "fz_term";
                log.add("hostile(Range " + size + ")");
            }
            default -> {
                GraphProto body = GraphProto.newBuilder().setName("fz_body")
                        .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("c_in").addOutput("c_out"))
                        .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("v_in").addOutput("v_out"))
                        .addInput(scalar("i", 7)).addInput(scalar("c_in", 9)).addInput(scalar("v_in", 1))
                        .addOutput(scalar("c_out", 9)).addOutput(scalar("v_out", 1)).build();
                g.addInitializer(TensorProto.newBuilder().setName("fz_trips").setDataType(7).addInt64Data(size));
                g.addInitializer(TensorProto.newBuilder().setName("fz_true").setDataType(9).addInt32Data(1));
                g.addNode(reduce("h0", "fz_seed"));
                g.addNode(NodeProto.newBuilder().setOpType("Loop").setName("fz_loop").addInput("fz_trips")
                        .addInput("fz_true").addInput("fz_seed").addOutput("fz_term").addAttribute(
                                AttributeProto.newBuilder().setName("body").setType(AttributeType.GRAPH).setG(body)));
                term = "fz_term";
                log.add("hostile(Loop " + size + ")");
            }
        }
        g.addNode(NodeProto.newBuilder().setOpType("Add").setName("fz_add").addInput(output).addInput(term)
                .addOutput("output"));
    }

    private static TensorProto longs(String name, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    private static NodeProto reduce(String in, String out) {
        return NodeProto.newBuilder().setOpType("ReduceSum").setName(out).addInput(in).addOutput(out)
                .addAttribute(AttributeProto.newBuilder().setName("keepdims").setType(AttributeType.INT).setI(0))
                .build();
    }

    private static ValueInfoProto scalar(String name, int type) {
        ValueInfoProto.Builder v = ValueInfoProto.newBuilder().setName(name);
        v.getTypeBuilder().getTensorTypeBuilder().setElemType(type).getShapeBuilder();
        return v.build();
    }
}
