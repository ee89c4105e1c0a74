package io.stepwise.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

    private final ByteBuffer buf;
    private final List<String> locations = new ArrayList<>();
    private final Set<String> opTypes = new LinkedHashSet<>();

    /** The UTF-8 string in [start, end). */
    private String text(int start, int end) {
        byte[] bytes = new byte[end - start];
        buf.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private OnnxWireScanner(ByteBuffer buf) {
        this.buf = buf;
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
        ByteBuffer view = model.slice();
        if (view.remaining() == 0) {
            throw new IllegalArgumentException("the file is empty");
        }
        OnnxWireScanner s = new OnnxWireScanner(view);
        long[] ir = {-1};
        boolean[] graph = {false};
        s.message(0, view.limit(), 0, (field, wire, start, end, cursor) -> {
            if (field == 1 && wire == 0) {
                ir[0] = cursor.value;
            } else if (field == 7 && wire == 2) {
                graph[0] = true;
                s.graph(start, end, 1);
            } else if (field == 25 && wire == 2) {
                s.function(start, end, 1);
            } else if (field == 20 && wire == 2) {
                s.trainingInfo(start, end, 1);
            } else if (field == 1 || field == 7) {
                throw new IllegalArgumentException("field " + field + " has wire type " + wire
                        + ", which an ONNX ModelProto never uses");
            }
        });
        if (ir[0] < 1 || !graph[0]) {
            throw new IllegalArgumentException("not an ONNX model: " + (ir[0] < 1 ? "no IR version" : "no graph"));
        }
        return new Scan(ir[0], List.copyOf(s.locations), Set.copyOf(s.opTypes));
    }

    private void graph(int from, int to, int depth) {
        message(from, to, depth, (field, wire, start, end, cursor) -> {
            if (wire != 2) {
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
        message(from, to, depth, (field, wire, start, end, cursor) -> {
            if (field == 7 && wire == 2) {
                node(start, end, depth + 1);
            }
        });
    }

    private void trainingInfo(int from, int to, int depth) {
        message(from, to, depth, (field, wire, start, end, cursor) -> {
            if ((field == 1 || field == 2) && wire == 2) {
                graph(start, end, depth + 1);
            }
        });
    }

    private void node(int from, int to, int depth) {
        message(from, to, depth, (field, wire, start, end, cursor) -> {
            if (field == 4 && wire == 2) {
                opTypes.add(text(start, end));
            } else if (field == 5 && wire == 2) {
                attribute(start, end, depth + 1);
            }
        });
    }

    private void attribute(int from, int to, int depth) {
        message(from, to, depth, (field, wire, start, end, cursor) -> {
            if (wire != 2) {
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
        message(from, to, depth, (field, wire, start, end, cursor) -> {
            if ((field == 1 || field == 2) && wire == 2) {
                tensor(start, end, depth + 1);
            }
        });
    }

    private void tensor(int from, int to, int depth) {
        message(from, to, depth, (field, wire, start, end, cursor) -> {
            if (field == 13 && wire == 2) {
                String[] kv = new String[2];
                message(start, end, depth + 1, (f, w, s, e, c) -> {
                    if ((f == 1 || f == 2) && w == 2) {
                        kv[f - 1] = text(s, e);
                    }
                });
                if ("location".equals(kv[0])) {
                    locations.add(kv[1] == null ? "" : kv[1]);
                }
            }
        });
    }

    /** Called for every field of a message: for length-delimited fields start/end bound the payload. */
    private interface FieldVisitor {
        void visit(int field, int wireType, int start, int end, Cursor cursor);
    }

    private static final class Cursor {
        int pos;
        long value;
    }

    private void message(int from, int to, int depth, FieldVisitor visitor) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("messages nested deeper than " + MAX_DEPTH);
        }
        Cursor c = new Cursor();
        c.pos = from;
        while (c.pos < to) {
            long key = varint(c, to);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 0) {
                throw new IllegalArgumentException("corrupt protobuf: field number 0 at byte " + (c.pos - 1));
            }
            switch (wire) {
                case 0 -> {
                    c.value = varint(c, to);
                    visitor.visit(field, wire, c.pos, c.pos, c);
                }
                case 1 -> skip(c, 8, to);
                case 5 -> skip(c, 4, to);
                case 2 -> {
                    long len = varint(c, to);
                    if (len < 0 || len > to - c.pos) {
                        throw new IllegalArgumentException("truncated or corrupt: field " + field + " at byte " + c.pos
                                + " claims " + len + " bytes but only " + (to - c.pos) + " remain");
                    }
                    int start = c.pos;
                    c.pos += (int) len;
                    visitor.visit(field, wire, start, start + (int) len, c);
                }
                default -> throw new IllegalArgumentException("corrupt protobuf: wire type " + wire + " at byte "
                        + c.pos + " (field " + field + ")");
            }
        }
    }

    private void skip(Cursor c, int n, int to) {
        if (to - c.pos < n) {
            throw new IllegalArgumentException("truncated: a fixed-size field needs " + n + " bytes at byte " + c.pos);
        }
        c.pos += n;
    }

    private long varint(Cursor c, int to) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (c.pos >= to) {
                throw new IllegalArgumentException("truncated: a varint runs past byte " + to);
            }
            byte b = buf.get(c.pos++);
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("corrupt protobuf: a varint longer than 10 bytes at byte " + c.pos);
    }
}
