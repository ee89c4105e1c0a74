package io.stepwise.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format, read without a protobuf dependency: a message is walked field by field and each field
 * is handed to a visitor with the bounds of its payload. Every length is checked against the enclosing message,
 * so corrupt or truncated bytes end in an {@link IllegalArgumentException} naming the byte offset, never in an
 * out-of-bounds read.
 *
 * <p>The bytes are read through a {@link ByteBuffer} with absolute reads only, so a model file can be walked
 * through its read-only memory map without a copy on the Java heap. Offsets count from the buffer's position when
 * this reader was made; the buffer itself is never moved.
 */
final class ProtoWire {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /**
     * Called for every field of a message. For length-delimited fields {@code start}/{@code end} bound the payload,
     * for fixed-size fields the 4 or 8 value bytes; for varints
     * they bound its encoding and {@code value} holds it.
     */
    interface FieldVisitor {
        void visit(int field, int wireType, int start, int end, long value);
    }

    private final ByteBuffer buf;

    /** Reads {@code buf} from its position to its limit (a view is taken; {@code buf} is not moved). */
    ProtoWire(ByteBuffer buf) {
        this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of bytes. */
    int length() {
        return buf.limit();
    }

    /** A read-only view of the bytes in {@code [start, end)}. */
    ByteBuffer slice(int start, int end) {
        return buf.slice(start, end - start).asReadOnlyBuffer();
    }

    /** Walks the fields of the message in {@code [from, to)}. */
    void message(int from, int to, FieldVisitor visitor) {
        int[] pos = {from};
        while (pos[0] < to) {
            long key = varint(pos, to);
            if ((key >>> 3) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("corrupt protobuf: field number " + (key >>> 3) + " at byte "
                        + pos[0]);
            }
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 0) {
                throw new IllegalArgumentException("corrupt protobuf: field number 0 at byte " + (pos[0] - 1));
            }
            switch (wire) {
                case VARINT -> {
                    int start = pos[0];
                    long value = varint(pos, to);
                    visitor.visit(field, wire, start, pos[0], value);
                }
                case FIXED64, FIXED32 -> {
                    int n = wire == FIXED64 ? 8 : 4;
                    if (to - pos[0] < n) {
                        throw new IllegalArgumentException("truncated: a fixed-size field needs " + n + " bytes at byte "
                                + pos[0]);
                    }
                    int start = pos[0];
                    pos[0] += n;
                    visitor.visit(field, wire, start, start + n, 0);
                }
                case LENGTH_DELIMITED -> {
                    long len = varint(pos, to);
                    if (len < 0 || len > to - pos[0]) {
                        throw new IllegalArgumentException("truncated or corrupt: field " + field + " at byte " + pos[0]
                                + " claims " + len + " bytes but only " + (to - pos[0]) + " remain");
                    }
                    int start = pos[0];
                    pos[0] += (int) len;
                    visitor.visit(field, wire, start, start + (int) len, len);
                }
                default -> throw new IllegalArgumentException("corrupt protobuf: wire type " + wire + " at byte "
                        + pos[0] + " (field " + field + ")");
            }
        }
    }

    /** Reads one varint at {@code pos[0]}, advancing it; the varint must end before {@code to}. */
    long varint(int[] pos, int to) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= to) {
                throw new IllegalArgumentException("truncated: a varint runs past byte " + to);
            }
            byte b = buf.get(pos[0]++);
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("corrupt protobuf: a varint longer than 10 bytes at byte " + pos[0]);
    }

    /** Number of varints in a packed payload; the last one must be complete. */
    int countVarints(int start, int end) {
        int n = 0;
        for (int i = start; i < end; i++) {
            if (buf.get(i) >= 0) {
                n++;
            }
        }
        if (end > start && buf.get(end - 1) < 0) {
            throw new IllegalArgumentException("corrupt protobuf: a packed varint list ends inside a varint at byte "
                    + end);
        }
        return n;
    }

    /** The varints of a packed payload. */
    long[] varints(int start, int end) {
        long[] out = new long[countVarints(start, end)];
        int[] pos = {start};
        for (int i = 0; i < out.length; i++) {
            out[i] = varint(pos, end);
        }
        return out;
    }

    /** The bytes in {@code [start, end)} as UTF-8, malformed sequences replaced (for names that are only shown). */
    String utf8(int start, int end) {
        byte[] bytes = new byte[end - start];
        buf.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    int uint16LE(int at) {
        return buf.getShort(at) & 0xffff;
    }

    int int32LE(int at) {
        return buf.getInt(at);
    }

    long int64LE(int at) {
        return buf.getLong(at);
    }
}
