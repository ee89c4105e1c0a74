package io.stepwise.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads just enough of an ONNX {@code ModelProto} in the raw protobuf wire format to vet a file before ONNX
 * Runtime sees it, without a protobuf dependency: it checks that the bytes are well-formed protobuf with an IR
 * version and a graph, collects the {@code location} of every tensor stored as external data (initializers,
 * sparse initializers, tensors in node attributes, nested subgraphs, functions and training graphs), and the
 * operator types of the nodes (used to name the cell of models bound by a signature).
 *
 * <p>Field numbers are those of onnx.proto (ModelProto.graph = 7, GraphProto.node = 1 / initializer = 5 /
 * sparse_initializer = 15, NodeProto.op_type = 4 / attribute = 5, AttributeProto t = 5, g = 6, tensors = 10,
 * graphs = 11, sparse_tensor = 22, sparse_tensors = 23, TensorProto.external_data = 13).
 */
final class OnnxWireScanner {
    private static final int MAX_DEPTH = 64;

    /** What the scan found. */
    record Scan(long irVersion, List<String> externalLocations, Set<String> operatorTypes) {
    }

    private final ProtoWire wire;
    private final List<String> locations = new ArrayList<>();
    private final Set<String> opTypes = new LinkedHashSet<>();

    private OnnxWireScanner(ProtoWire wire) {
        this.wire = wire;
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a well-formed ONNX model (truncated, corrupt, or
     *                                  some other file), saying what is wrong
     */
    static Scan scan(byte[] model) {
        return scan(ByteBuffer.wrap(model));
    }

    /**
     * Scans the bytes from {@code model}'s position to its limit (e.g. a memory-mapped file, so that vetting needs
     * no copy on the Java heap); the buffer's own position is not changed.
     *
     * @throws IllegalArgumentException as {@link #scan(byte[])}
     */
    static Scan scan(ByteBuffer model) {
        ProtoWire wire = new ProtoWire(model);
        if (wire.length() == 0) {
            throw new IllegalArgumentException("the file is empty");
        }
        OnnxWireScanner s = new OnnxWireScanner(wire);
        long[] ir = {-1};
        boolean[] graph = {false};
        s.message(0, wire.length(), 0, (field, type, start, end, value) -> {
            if (field == 1 && type == ProtoWire.VARINT) {
                ir[0] = value;
            } else if (field == 7 && type == ProtoWire.LENGTH_DELIMITED) {
                graph[0] = true;
                s.graph(start, end, 1);
            } else if (field == 25 && type == ProtoWire.LENGTH_DELIMITED) {
                s.function(start, end, 1);
            } else if (field == 20 && type == ProtoWire.LENGTH_DELIMITED) {
                s.trainingInfo(start, end, 1);
            } else if (field == 1 || field == 7) {
                throw new IllegalArgumentException("field " + field + " has wire type " + type
                        + ", which an ONNX ModelProto never uses");
            }
        });
        if (ir[0] < 1 || !graph[0]) {
            throw new IllegalArgumentException("not an ONNX model: " + (ir[0] < 1 ? "no IR version" : "no graph"));
        }
        return new Scan(ir[0], List.copyOf(s.locations), Set.copyOf(s.opTypes));
    }

    private void graph(int from, int to, int depth) {
        message(from, to, depth, (field, type, start, end, value) -> {
            if (type != ProtoWire.LENGTH_DELIMITED) {
                return;
            }
            switch (field) {
                case 1 -> node(start, end, depth + 1);
                case 5 -> tensor(start, end, depth + 1);
                case 15 -> sparseTensor(start, end, depth + 1);
                default -> { }
            }
        });
    }

    private void function(int from, int to, int depth) {
        message(from, to, depth, (field, type, start, end, value) -> {
            if (field == 7 && type == ProtoWire.LENGTH_DELIMITED) {
                node(start, end, depth + 1);
            }
        });
    }

    private void trainingInfo(int from, int to, int depth) {
        message(from, to, depth, (field, type, start, end, value) -> {
            if ((field == 1 || field == 2) && type == ProtoWire.LENGTH_DELIMITED) {
                graph(start, end, depth + 1);
            }
        });
    }

    private void node(int from, int to, int depth) {
        message(from, to, depth, (field, type, start, end, value) -> {
            if (field == 4 && type == ProtoWire.LENGTH_DELIMITED) {
                opTypes.add(wire.utf8(start, end));
            } else if (field == 5 && type == ProtoWire.LENGTH_DELIMITED) {
                attribute(start, end, depth + 1);
            }
        });
    }

    private void attribute(int from, int to, int depth) {
        message(from, to, depth, (field, type, start, end, value) -> {
            if (type != ProtoWire.LENGTH_DELIMITED) {
                return;
            }
            switch (field) {
                case 5, 10 -> tensor(start, end, depth + 1);
                case 6, 11 -> graph(start, end, depth + 1);
                case 22, 23 -> sparseTensor(start, end, depth + 1);
                default -> { }
            }
        });
    }

    private void sparseTensor(int from, int to, int depth) {
        message(from, to, depth, (field, type, start, end, value) -> {
            if ((field == 1 || field == 2) && type == ProtoWire.LENGTH_DELIMITED) {
                tensor(start, end, depth + 1);
            }
        });
    }

    private void tensor(int from, int to, int depth) {
        message(from, to, depth, (field, type, start, end, value) -> {
            if (field == 13 && type == ProtoWire.LENGTH_DELIMITED) {
                String[] kv = new String[2];
                message(start, end, depth + 1, (f, w, s, e, v) -> {
                    if ((f == 1 || f == 2) && w == 2) {
                        kv[f - 1] = wire.utf8(s, e);
                    }
                });
                if ("location".equals(kv[0])) {
                    locations.add(kv[1] == null ? "" : kv[1]);
                }
            }
        });
    }

    private void message(int from, int to, int depth, ProtoWire.FieldVisitor visitor) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("messages nested deeper than " + MAX_DEPTH);
        }
        wire.message(from, to, visitor);
    }
}
