package io.stepwise.runtime;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an ONNX {@code ModelProto} from its wire bytes into a light tree that {@link OnnxModelValidator} checks:
 * names, shapes, types and where each tensor's data lies (offsets into the bytes, never copies of the data).
 * Parsing is itself bounded by {@link ModelLimits}: nesting depth, node and metadata counts and string lengths
 * are checked as they are met, so a hostile file cannot make the parse itself expensive. A singular field that
 * occurs twice is refused, because protobuf would silently merge or overwrite it and ONNX Runtime would then see
 * something other than what was checked. Field numbers are those of onnx.proto.
 */
final class OnnxModelParser {
    /** A metadata or external-data entry. */
    record Entry(String key, String value) {
    }

    record OpsetId(String domain, long version) {
    }

    /** One occurrence of a typed data field of a tensor ({@code float_data}, {@code int64_data}, ...). */
    record Chunk(int field, int wireType, int start, int end) {
    }

    /**
     * A TensorProto. {@code rawStart}/{@code rawEnd} bound {@code raw_data} (both -1 when absent); {@code typed}
     * lists the typed data fields; {@code strings} counts {@code string_data} entries.
     */
    record Tensor(String name, int dataType, long[] dims, int rawStart, int rawEnd, List<Chunk> typed, int strings,
                  boolean segment, long dataLocation, List<Entry> externalData) {
        boolean hasRaw() {
            return rawStart >= 0;
        }
    }

    record SparseTensor(Tensor values, Tensor indices, long[] dims) {
    }

    /** A declared graph input, output or value: tensor element type and dimensions (Long or String), if given. */
    record ValueInfo(String name, boolean tensor, int elemType, List<Object> dims) {
    }

    record Attribute(String name, long type, boolean hasF, boolean hasI, long i, String s, long[] ints,
                     int floats, List<String> strings, List<Tensor> tensors, List<SparseTensor> sparseTensors,
                     List<Graph> graphs, String refAttrName) {
    }

    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                List<Attribute> attributes) {
    }

    record Graph(String name, int depth, List<Node> nodes, List<Tensor> initializers,
                 List<SparseTensor> sparseInitializers, List<ValueInfo> inputs, List<ValueInfo> outputs,
                 int valueInfos, int annotations) {
    }

    record Function(String name, String domain, List<Node> nodes) {
    }

    record Model(long irVersion, List<OpsetId> opsets, List<Entry> metadata, Graph graph, List<Function> functions,
                 List<Graph> trainingGraphs) {
    }

    private final ProtoWire wire;
    private final ModelLimits limits;
    private int nodes;
    private long metadataBytes;

    private OnnxModelParser(ProtoWire wire, ModelLimits limits) {
        this.wire = wire;
        this.limits = limits;
    }

    /**
     * @throws IllegalArgumentException when the bytes are not well-formed or break a parse-time limit, saying
     *                                  what and where
     */
    static Model parse(ProtoWire wire, ModelLimits limits) {
        return new OnnxModelParser(wire, limits).model();
    }

    /** Reads each singular field at most once; see the class comment. */
    private static final class Once {
        private final String message;
        private long seen;
        private List<Integer> high;

        Once(String message) {
            this.message = message;
        }

        void check(int field) {
            if (field < 64) {
                if ((seen & (1L << field)) != 0) {
                    throw duplicate(field);
                }
                seen |= 1L << field;
            } else {
                if (high == null) {
                    high = new ArrayList<>();
                }
                if (high.contains(field)) {
                    throw duplicate(field);
                }
                high.add(field);
            }
        }

        private IllegalArgumentException duplicate(int field) {
            return new IllegalArgumentException(message + ": field " + field + " occurs twice; a singular field must"
                    + " occur once (protobuf would merge or overwrite it)");
        }
    }

    /** Field 0 stands for "the field just named by {@code message}". */
    private static void expect(int type, int wanted, String message, int field) {
        if (type != wanted) {
            throw new IllegalArgumentException(message + (field == 0 ? "" : ": field " + field) + " has wire type "
                    + type + " but onnx.proto declares wire type " + wanted);
        }
    }

    private Model model() {
        long[] ir = {-1};
        Graph[] graph = {null};
        List<OpsetId> opsets = new ArrayList<>();
        List<Entry> metadata = new ArrayList<>();
        List<Function> functions = new ArrayList<>();
        List<Graph> training = new ArrayList<>();
        Once once = new Once("ModelProto");
        String what = "ModelProto";
        wire.message(0, wire.length(), (field, type, start, end, value) -> {
            switch (field) {
                case 1 -> {
                    once.check(field);
                    expect(type, ProtoWire.VARINT, what, field);
                    ir[0] = value;
                }
                case 2, 3, 4 -> {
                    once.check(field);
                    name(type, start, end, what + " field " + field);
                }
                case 5 -> {
                    once.check(field);
                    expect(type, ProtoWire.VARINT, what, field);
                }
                case 6 -> {
                    once.check(field);
                    string(type, start, end, "the model's doc_string");
                }
                case 7 -> {
                    once.check(field);
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    graph[0] = graph(start, end, 0);
                }
                case 8 -> opsets.add(opset(type, start, end));
                case 14 -> {
                    if (metadata.size() >= limits.maxMetadataEntries()) {
                        throw new IllegalArgumentException("metadata_props: more than " + limits.maxMetadataEntries()
                                + " entries (ModelLimits.maxMetadataEntries; ONNX Runtime reads metadata in quadratic"
                                + " time)");
                    }
                    Entry e = entry(type, start, end, "metadata_props");
                    metadataBytes += e.key().getBytes(StandardCharsets.UTF_8).length
                            + (long) e.value().getBytes(StandardCharsets.UTF_8).length;
                    if (metadataBytes > limits.maxMetadataBytes()) {
                        throw new IllegalArgumentException("metadata_props: keys and values exceed "
                                + limits.maxMetadataBytes() + " bytes (ModelLimits.maxMetadataBytes)");
                    }
                    metadata.add(e);
                }
                case 20 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    trainingInfo(start, end, training);
                }
                case 25 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    functions.add(function(start, end));
                }
                default -> { }
            }
        });
        if (ir[0] < 1) {
            throw new IllegalArgumentException("not an ONNX model: no IR version");
        }
        if (graph[0] == null) {
            throw new IllegalArgumentException("not an ONNX model: no graph");
        }
        return new Model(ir[0], opsets, metadata, graph[0], functions, training);
    }

    private OpsetId opset(int type, int from, int to) {
        expect(type, ProtoWire.LENGTH_DELIMITED, "ModelProto", 8);
        String[] domain = {""};
        long[] version = {0};
        Once once = new Once("opset_import");
        wire.message(from, to, (field, t, start, end, value) -> {
            if (field == 1) {
                once.check(field);
                domain[0] = name(t, start, end, "opset_import domain");
            } else if (field == 2) {
                once.check(field);
                expect(t, ProtoWire.VARINT, "opset_import", field);
                version[0] = value;
            }
        });
        return new OpsetId(domain[0], version[0]);
    }

    private Entry entry(int type, int from, int to, String what) {
        expect(type, ProtoWire.LENGTH_DELIMITED, what, 0);
        String[] kv = {"", ""};
        Once once = new Once(what + " entry");
        wire.message(from, to, (field, t, start, end, value) -> {
            if (field == 1) {
                once.check(field);
                kv[0] = name(t, start, end, what + " key");
            } else if (field == 2) {
                once.check(field);
                kv[1] = string(t, start, end, what + " value of key '" + kv[0] + "'");
            }
        });
        return new Entry(kv[0], kv[1]);
    }

    private void trainingInfo(int from, int to, List<Graph> out) {
        wire.message(from, to, (field, type, start, end, value) -> {
            if (field == 1 || field == 2) {
                expect(type, ProtoWire.LENGTH_DELIMITED, "TrainingInfoProto", field);
                out.add(graph(start, end, 1));
            }
        });
    }

    private Function function(int from, int to) {
        String[] names = {"", ""};
        List<Node> body = new ArrayList<>();
        Once once = new Once("FunctionProto");
        wire.message(from, to, (field, type, start, end, value) -> {
            switch (field) {
                case 1 -> {
                    once.check(field);
                    names[0] = name(type, start, end, "function name");
                }
                case 10 -> {
                    once.check(field);
                    names[1] = name(type, start, end, "function domain");
                }
                case 7 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, "FunctionProto", field);
                    body.add(node(start, end, 1));
                }
                case 4, 5, 6 -> name(type, start, end, "function input/output/attribute name");
                default -> { }
            }
        });
        return new Function(names[0], names[1], body);
    }

    private Graph graph(int from, int to, int depth) {
        if (depth > limits.maxGraphDepth()) {
            throw new IllegalArgumentException("subgraphs nest " + depth + " deep; the limit is "
                    + limits.maxGraphDepth() + " (ModelLimits.maxGraphDepth)");
        }
        String[] name = {""};
        List<Node> graphNodes = new ArrayList<>();
        List<Tensor> initializers = new ArrayList<>();
        List<SparseTensor> sparse = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        int[] counts = new int[2];
        Once once = new Once("GraphProto");
        wire.message(from, to, (field, type, start, end, value) -> {
            switch (field) {
                case 1 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, "GraphProto", field);
                    graphNodes.add(node(start, end, depth));
                }
                case 2 -> {
                    once.check(field);
                    name[0] = name(type, start, end, "graph name");
                }
                case 5 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, "GraphProto", field);
                    initializers.add(tensor(start, end));
                }
                case 10 -> {
                    once.check(field);
                    string(type, start, end, "graph doc_string");
                }
                case 11 -> inputs.add(valueInfo(type, start, end));
                case 12 -> outputs.add(valueInfo(type, start, end));
                case 13 -> {
                    valueInfo(type, start, end);
                    counts[0]++;
                }
                case 14 -> counts[1]++;
                case 15 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, "GraphProto", field);
                    sparse.add(sparseTensor(start, end));
                }
                default -> { }
            }
        });
        return new Graph(name[0], depth, graphNodes, initializers, sparse, inputs, outputs, counts[0], counts[1]);
    }

    private Node node(int from, int to, int depth) {
        if (++nodes > limits.maxNodes()) {
            throw new IllegalArgumentException("more than " + limits.maxNodes() + " nodes (ModelLimits.maxNodes)");
        }
        String[] s = {"", "", ""};
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<Attribute> attributes = new ArrayList<>();
        Once once = new Once("NodeProto");
        wire.message(from, to, (field, type, start, end, value) -> {
            switch (field) {
                case 1 -> inputs.add(name(type, start, end, "node input"));
                case 2 -> outputs.add(name(type, start, end, "node output"));
                case 3 -> {
                    once.check(field);
                    s[0] = name(type, start, end, "node name");
                }
                case 4 -> {
                    once.check(field);
                    s[1] = name(type, start, end, "op_type");
                }
                case 7 -> {
                    once.check(field);
                    s[2] = name(type, start, end, "node domain");
                }
                case 5 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, "NodeProto", field);
                    attributes.add(attribute(start, end, depth));
                }
                case 6 -> {
                    once.check(field);
                    string(type, start, end, "node doc_string");
                }
                case 8 -> {
                    once.check(field);
                    name(type, start, end, "node overload");
                }
                default -> { }
            }
        });
        return new Node(s[0], s[1], s[2], inputs, outputs, attributes);
    }

    private Attribute attribute(int from, int to, int depth) {
        String[] s = {"", null, null};
        long[] scalars = {0, 0};
        boolean[] has = new boolean[2];
        List<long[]> ints = new ArrayList<>();
        int[] floats = {0};
        List<String> strings = new ArrayList<>();
        List<Tensor> tensors = new ArrayList<>();
        List<SparseTensor> sparse = new ArrayList<>();
        List<Graph> graphs = new ArrayList<>();
        Once once = new Once("AttributeProto");
        String what = "AttributeProto";
        wire.message(from, to, (field, type, start, end, value) -> {
            switch (field) {
                case 1 -> {
                    once.check(field);
                    s[0] = name(type, start, end, "attribute name");
                }
                case 21 -> {
                    once.check(field);
                    s[2] = name(type, start, end, "attribute ref_attr_name");
                }
                case 13 -> {
                    once.check(field);
                    string(type, start, end, "attribute doc_string");
                }
                case 20 -> {
                    once.check(field);
                    expect(type, ProtoWire.VARINT, what, field);
                    scalars[0] = value;
                }
                case 2 -> {
                    once.check(field);
                    expect(type, ProtoWire.FIXED32, what, field);
                    has[0] = true;
                }
                case 3 -> {
                    once.check(field);
                    expect(type, ProtoWire.VARINT, what, field);
                    has[1] = true;
                    scalars[1] = value;
                }
                case 4 -> {
                    once.check(field);
                    s[1] = string(type, start, end, "attribute '" + s[0] + "' string value");
                }
                case 5, 10 -> {
                    if (field == 5) {
                        once.check(field);
                    }
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    tensors.add(tensor(start, end));
                }
                case 6, 11 -> {
                    if (field == 6) {
                        once.check(field);
                    }
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    graphs.add(graph(start, end, depth + 1));
                }
                case 22, 23 -> {
                    if (field == 22) {
                        once.check(field);
                    }
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    sparse.add(sparseTensor(start, end));
                }
                case 7 -> floats[0] += repeatedCount(type, start, end, ProtoWire.FIXED32, what, field);
                case 8 -> {
                    if (type == ProtoWire.LENGTH_DELIMITED) {
                        ints.add(wire.varints(start, end));
                    } else {
                        expect(type, ProtoWire.VARINT, what, field);
                        ints.add(new long[] {value});
                    }
                }
                case 9 -> strings.add(string(type, start, end, "attribute '" + s[0] + "' strings"));
                default -> { }
            }
        });
        long[] allInts = ints.stream().flatMapToLong(java.util.Arrays::stream).toArray();
        return new Attribute(s[0], scalars[0], has[0], has[1], scalars[1], s[1], allInts, floats[0], strings, tensors,
                sparse, graphs, s[2]);
    }

    private SparseTensor sparseTensor(int from, int to) {
        Tensor[] parts = new Tensor[2];
        List<long[]> dims = new ArrayList<>();
        Once once = new Once("SparseTensorProto");
        wire.message(from, to, (field, type, start, end, value) -> {
            if (field == 1 || field == 2) {
                once.check(field);
                expect(type, ProtoWire.LENGTH_DELIMITED, "SparseTensorProto", field);
                parts[field - 1] = tensor(start, end);
            } else if (field == 3) {
                dims.add(type == ProtoWire.LENGTH_DELIMITED ? wire.varints(start, end) : varintField(type, value,
                        "SparseTensorProto", field));
            }
        });
        return new SparseTensor(parts[0], parts[1], dims.stream().flatMapToLong(java.util.Arrays::stream).toArray());
    }

    private long[] varintField(int type, long value, String what, int field) {
        expect(type, ProtoWire.VARINT, what, field);
        return new long[] {value};
    }

    private Tensor tensor(int from, int to) {
        String[] name = {""};
        long[] scalars = {0, 0};
        int[] raw = {-1, -1};
        List<long[]> dims = new ArrayList<>();
        List<Chunk> typed = new ArrayList<>();
        int[] strings = {0};
        boolean[] segment = {false};
        List<Entry> external = new ArrayList<>();
        Once once = new Once("TensorProto");
        String what = "TensorProto";
        wire.message(from, to, (field, type, start, end, value) -> {
            switch (field) {
                case 1 -> dims.add(type == ProtoWire.LENGTH_DELIMITED ? wire.varints(start, end)
                        : varintField(type, value, what, field));
                case 2 -> {
                    once.check(field);
                    expect(type, ProtoWire.VARINT, what, field);
                    scalars[0] = value;
                }
                case 3 -> segment[0] = true;
                case 4, 10 -> typed.add(typedChunk(field, type, start, end,
                        field == 4 ? ProtoWire.FIXED32 : ProtoWire.FIXED64));
                case 5, 7, 11 -> typed.add(typedChunk(field, type, start, end, ProtoWire.VARINT));
                case 6 -> {
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    if (end - start > limits.maxStringBytes()) {
                        throw new IllegalArgumentException("tensor '" + name[0] + "': a string element of "
                                + (end - start) + " bytes exceeds " + limits.maxStringBytes()
                                + " (ModelLimits.maxStringBytes)");
                    }
                    strings[0]++;
                }
                case 8 -> {
                    once.check(field);
                    name[0] = name(type, start, end, "tensor name");
                }
                case 9 -> {
                    once.check(field);
                    expect(type, ProtoWire.LENGTH_DELIMITED, what, field);
                    raw[0] = start;
                    raw[1] = end;
                }
                case 12 -> {
                    once.check(field);
                    string(type, start, end, "tensor doc_string");
                }
                case 13 -> external.add(entry(type, start, end, "external_data"));
                case 14 -> {
                    once.check(field);
                    expect(type, ProtoWire.VARINT, what, field);
                    scalars[1] = value;
                }
                default -> { }
            }
        });
        return new Tensor(name[0], (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, scalars[0])),
                dims.stream().flatMapToLong(java.util.Arrays::stream).toArray(), raw[0], raw[1], typed, strings[0],
                segment[0], scalars[1], external);
    }

    private Chunk typedChunk(int field, int type, int start, int end, int elementWire) {
        if (type != ProtoWire.LENGTH_DELIMITED) {
            expect(type, elementWire, "TensorProto", field);
        }
        return new Chunk(field, type, start, end);
    }

    /** Elements of a repeated scalar field occurrence: one unpacked value, or all of a packed payload. */
    private int repeatedCount(int type, int start, int end, int elementWire, String what, int field) {
        if (type != ProtoWire.LENGTH_DELIMITED) {
            expect(type, elementWire, what, field);
            return 1;
        }
        return countPacked(elementWire, start, end, what + " field " + field);
    }

    /** Elements in a packed payload of the given element wire type. */
    int countPacked(int elementWire, int start, int end, String what) {
        return countPacked(wire, elementWire, start, end, what);
    }

    static int countPacked(ProtoWire wire, int elementWire, int start, int end, String what) {
        int size = elementWire == ProtoWire.FIXED32 ? 4 : elementWire == ProtoWire.FIXED64 ? 8 : 0;
        if (size == 0) {
            return wire.countVarints(start, end);
        }
        if ((end - start) % size != 0) {
            throw new IllegalArgumentException(what + ": a packed list of " + (end - start) + " bytes is not a whole"
                    + " number of " + size + "-byte values");
        }
        return (end - start) / size;
    }

    private ValueInfo valueInfo(int type, int from, int to) {
        expect(type, ProtoWire.LENGTH_DELIMITED, "ValueInfoProto", 0);
        String[] name = {""};
        boolean[] tensor = {false};
        int[] elem = {0};
        List<Object> dims = new ArrayList<>();
        Once once = new Once("ValueInfoProto");
        wire.message(from, to, (field, t, start, end, value) -> {
            if (field == 1) {
                once.check(field);
                name[0] = name(t, start, end, "value name");
            } else if (field == 2) {
                once.check(field);
                expect(t, ProtoWire.LENGTH_DELIMITED, "ValueInfoProto", field);
                wire.message(start, end, (f, tt, s, e, v) -> {
                    if (f == 1) {
                        expect(tt, ProtoWire.LENGTH_DELIMITED, "TypeProto", f);
                        tensor[0] = true;
                        tensorType(s, e, elem, dims, name[0]);
                    }
                });
            } else if (field == 3) {
                string(t, start, end, "value doc_string");
            }
        });
        return new ValueInfo(name[0], tensor[0], elem[0], dims);
    }

    private void tensorType(int from, int to, int[] elem, List<Object> dims, String value) {
        wire.message(from, to, (field, type, start, end, v) -> {
            if (field == 1) {
                expect(type, ProtoWire.VARINT, "TypeProto.Tensor", field);
                elem[0] = (int) v;
            } else if (field == 2) {
                expect(type, ProtoWire.LENGTH_DELIMITED, "TypeProto.Tensor", field);
                wire.message(start, end, (f, t, s, e, x) -> {
                    if (f == 1) {
                        if (dims.size() >= limits.maxRank()) {
                            throw new IllegalArgumentException("value '" + value + "' declares more than "
                                    + limits.maxRank() + " dimensions (ModelLimits.maxRank)");
                        }
                        dims.add(dimension(t, s, e));
                    }
                });
            }
        });
    }

    private Object dimension(int type, int from, int to) {
        expect(type, ProtoWire.LENGTH_DELIMITED, "TensorShapeProto", 1);
        Object[] dim = {""};
        wire.message(from, to, (field, t, start, end, value) -> {
            if (field == 1) {
                expect(t, ProtoWire.VARINT, "Dimension", field);
                dim[0] = value;
            } else if (field == 2) {
                dim[0] = name(t, start, end, "dim_param");
            }
        });
        return dim[0];
    }

    /** An identifier: at most {@link ModelLimits#maxNameBytes()} bytes of well-formed UTF-8. */
    private String name(int type, int start, int end, String what) {
        expect(type, ProtoWire.LENGTH_DELIMITED, what, 0);
        if (end - start > limits.maxNameBytes()) {
            throw new IllegalArgumentException(what + " of " + (end - start) + " bytes exceeds "
                    + limits.maxNameBytes() + " (ModelLimits.maxNameBytes)");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(wire.slice(start, end)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " at byte " + start + " is not valid UTF-8");
        }
    }

    /** Any other string: at most {@link ModelLimits#maxStringBytes()} bytes. */
    private String string(int type, int start, int end, String what) {
        expect(type, ProtoWire.LENGTH_DELIMITED, what, 0);
        if (end - start > limits.maxStringBytes()) {
            throw new IllegalArgumentException(what + " of " + (end - start) + " bytes exceeds "
                    + limits.maxStringBytes() + " (ModelLimits.maxStringBytes)");
        }
        return wire.utf8(start, end);
    }
}
