package io.stepwise.runtime;

import io.stepwise.runtime.OnnxModelParser.Chunk;
import io.stepwise.runtime.OnnxModelParser.Tensor;

/**
 * What a TensorProto's {@code data_type} means for its data: element size, which typed field may hold it, how many
 * entries that field needs, and reading its values (integers for shape constants, floating-point values for the
 * finiteness check) straight from the model bytes. Data types are onnx.proto's {@code TensorProto.DataType}.
 */
final class TensorData {
    static final int FLOAT = 1;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int STRING = 8;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int COMPLEX64 = 14;
    static final int BFLOAT16 = 16;
    /** The highest data type ONNX Runtime 1.23 reads (FLOAT4E2M1). */
    static final int LAST_KNOWN = 23;

    private static final String[] NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
        "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
        "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1"};

    private TensorData() {
    }

    static boolean known(int dataType) {
        return dataType >= 1 && dataType <= LAST_KNOWN;
    }

    static String name(int dataType) {
        return known(dataType) ? NAMES[dataType] : "data type " + dataType;
    }

    /** Whether two elements share a byte (INT4, UINT4, FLOAT4E2M1). */
    static boolean halfByte(int dataType) {
        return dataType >= 21 && dataType <= 23;
    }

    /** Bytes per element in raw_data; 0 for STRING; half-byte types report 1 (see {@link #rawBytes}). */
    static int elementBytes(int dataType) {
        return switch (dataType) {
            case 1, 6, 12 -> 4;
            case 2, 3, 9, 17, 18, 19, 20, 21, 22, 23 -> 1;
            case 4, 5, 10, 16 -> 2;
            case 7, 11, 13, 14 -> 8;
            case 15 -> 16;
            default -> 0;
        };
    }

    /** Bytes that {@code count} elements take in raw_data, or -1 on overflow. */
    static long rawBytes(int dataType, long count) {
        if (halfByte(dataType)) {
            return (count + 1) / 2;
        }
        long size = elementBytes(dataType);
        return count > Long.MAX_VALUE / Math.max(size, 1) ? -1 : count * size;
    }

    /** The typed field (onnx.proto number) that holds this type's data when raw_data is not used. */
    static int typedField(int dataType) {
        return switch (dataType) {
            case 1, 14 -> 4;
            case 7 -> 7;
            case 8 -> 6;
            case 11, 15 -> 10;
            case 12, 13 -> 11;
            default -> 5;
        };
    }

    static String fieldName(int field) {
        return switch (field) {
            case 4 -> "float_data";
            case 5 -> "int32_data";
            case 6 -> "string_data";
            case 7 -> "int64_data";
            case 10 -> "double_data";
            case 11 -> "uint64_data";
            default -> "field " + field;
        };
    }

    /** Entries of the typed field that {@code count} elements need. */
    static long typedEntries(int dataType, long count) {
        if (dataType == 14 || dataType == 15) {
            return count > Long.MAX_VALUE / 2 ? -1 : count * 2;
        }
        return halfByte(dataType) ? (count + 1) / 2 : count;
    }

    /** Entries in the typed data chunks. */
    static long typedCount(ProtoWire wire, Tensor t) {
        long n = 0;
        for (Chunk c : t.typed()) {
            n += c.wireType() != ProtoWire.LENGTH_DELIMITED ? 1
                    : OnnxModelParser.countPacked(wire, c.field() == 4 ? ProtoWire.FIXED32
                    : c.field() == 10 ? ProtoWire.FIXED64 : ProtoWire.VARINT, c.start(), c.end(),
                    "tensor '" + t.name() + "' " + fieldName(c.field()));
        }
        return n;
    }

    /** Product of the dimensions, or -1 when it overflows a long. Dimensions must be non-negative. */
    static long elementCount(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d != 0 && n > Long.MAX_VALUE / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /**
     * The values of an INT64 or INT32 tensor whose data length was already checked, or {@code null} for other
     * types and external data.
     */
    static long[] integers(ProtoWire wire, Tensor t, long count) {
        if ((t.dataType() != INT64 && t.dataType() != INT32) || t.dataLocation() == 1) {
            return null;
        }
        long[] out = new long[(int) count];
        if (t.hasRaw()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = t.dataType() == INT64 ? wire.int64LE(t.rawStart() + 8 * i) : wire.int32LE(t.rawStart() + 4 * i);
            }
            return out;
        }
        int i = 0;
        for (Chunk c : t.typed()) {
            int[] pos = {c.start()};
            while (pos[0] < c.end() && i < out.length) {
                long v = wire.varint(pos, c.end());
                out[i++] = t.dataType() == INT32 ? (int) v : v;
            }
        }
        return out;
    }

    /**
     * Index of the first NaN or infinite element of a floating-point tensor (FLOAT, DOUBLE, FLOAT16, BFLOAT16,
     * COMPLEX64), or -1 when all are finite or the type is not floating-point or the data is external.
     */
    static long firstNonFinite(ProtoWire wire, Tensor t) {
        int type = t.dataType();
        if (t.dataLocation() == 1) {
            return -1;
        }
        if (t.hasRaw()) {
            return switch (type) {
                case FLOAT, COMPLEX64 -> scan(t.rawStart(), t.rawEnd(), 4, at -> !Float.isFinite(
                        Float.intBitsToFloat(wire.int32LE(at))));
                case DOUBLE -> scan(t.rawStart(), t.rawEnd(), 8, at -> !Double.isFinite(
                        Double.longBitsToDouble(wire.int64LE(at))));
                case FLOAT16 -> scan(t.rawStart(), t.rawEnd(), 2, at -> (wire.uint16LE(at) & 0x7c00) == 0x7c00);
                case BFLOAT16 -> scan(t.rawStart(), t.rawEnd(), 2, at -> (wire.uint16LE(at) & 0x7f80) == 0x7f80);
                default -> -1;
            };
        }
        long index = 0;
        for (Chunk c : t.typed()) {
            if (type == FLOAT || type == COMPLEX64 || type == DOUBLE) {
                int size = type == DOUBLE ? 8 : 4;
                long bad = scan(c.start(), c.end(), size, at -> size == 4
                        ? !Float.isFinite(Float.intBitsToFloat(wire.int32LE(at)))
                        : !Double.isFinite(Double.longBitsToDouble(wire.int64LE(at))));
                if (bad >= 0) {
                    return index + bad;
                }
                index += (c.end() - c.start()) / size;
            } else if (type == FLOAT16 || type == BFLOAT16) {
                int mask = type == FLOAT16 ? 0x7c00 : 0x7f80;
                int[] pos = {c.start()};
                while (pos[0] < c.end()) {
                    long v = wire.varint(pos, c.end());
                    if ((v & mask) == mask) {
                        return index;
                    }
                    index++;
                }
            }
        }
        return -1;
    }

    private interface Probe {
        boolean bad(int at);
    }

    private static long scan(int start, int end, int size, Probe probe) {
        for (int at = start; at + size <= end; at += size) {
            if (probe.bad(at)) {
                return (at - start) / size;
            }
        }
        return -1;
    }
}
