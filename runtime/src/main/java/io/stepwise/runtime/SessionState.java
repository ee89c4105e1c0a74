package io.stepwise.runtime;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * An immutable copy of a {@link Session}'s recurrent state: hidden state h (and cell state c for an LSTM),
 * each {@code [L·D, 1, H]}, the number of steps consumed, and the fingerprint of the model architecture it
 * belongs to ({@link ModelInfo#fingerprint()}). Take one with {@link Session#snapshot()}, put it back with
 * {@link Session#restore(SessionState)} (on the same or another session of a compatible model), or persist
 * it with {@link #toBytes()} / {@link #fromBytes(byte[])}. Implementations of {@link Session} that keep the
 * state elsewhere (e.g. a batching front) build one with {@link #of(ModelInfo, long, float[])}.
 *
 * <p>Serialized form (big-endian): magic {@code "SWSS"}, format version (u16, {@value #FORMAT_VERSION}), flags
 * (u16; bit 0 = has cell state), fingerprint (u64), position (i64), rows (i32), hidden size (i32), h
 * (rows·H floats), c (rows·H floats, if present), CRC-32 of everything before it (u32).
 */
public final class SessionState {
    /** Version of the serialized form written by {@link #toBytes()}. */
    public static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = {'S', 'W', 'S', 'S'};
    private static final int HEADER_BYTES = 4 + 2 + 2 + 8 + 8 + 4 + 4;
    private static final int MAX_STATE_FLOATS = 1 << 28;

    private final String fingerprint;
    private final long position;
    private final int rows;
    private final int hiddenSize;
    private final float[] hidden;
    private final float[] cell;

    SessionState(String fingerprint, long position, int rows, int hiddenSize, float[] hidden, float[] cell) {
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        this.position = position;
        this.rows = rows;
        this.hiddenSize = hiddenSize;
        this.hidden = hidden;
        this.cell = cell;
    }

    /**
     * The state of a model without a cell state (RNN, GRU).
     *
     * @param model    the model the state belongs to (its fingerprint and state shape)
     * @param position steps consumed, ≥ 0
     * @param hidden   h, flat {@code [rows, 1, H]}: {@link ModelInfo#stateRows()} × {@link ModelInfo#hiddenSize()}
     *                 values; copied
     * @throws IllegalArgumentException when the model has a cell state, the position is negative or the length
     *                                  does not fit
     */
    public static SessionState of(ModelInfo model, long position, float[] hidden) {
        Objects.requireNonNull(model, "model");
        if (model.hasCellState()) {
            throw new IllegalArgumentException("cell: this " + model.cell() + " model has a cell state; use"
                    + " of(model, position, hidden, cell)");
        }
        return checked(model, position, hidden, null);
    }

    /**
     * The state of a model with a cell state (LSTM).
     *
     * @param cell c, same shape as {@code hidden}; copied
     * @throws IllegalArgumentException when the model has no cell state, the position is negative or a length does
     *                                  not fit
     * @see #of(ModelInfo, long, float[])
     */
    public static SessionState of(ModelInfo model, long position, float[] hidden, float[] cell) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(cell, "cell");
        if (!model.hasCellState()) {
            throw new IllegalArgumentException("cell: this " + model.cell() + " model has no cell state; use"
                    + " of(model, position, hidden)");
        }
        return checked(model, position, hidden, cell);
    }

    private static SessionState checked(ModelInfo model, long position, float[] hidden, float[] cell) {
        Objects.requireNonNull(hidden, "hidden");
        if (position < 0) {
            throw new IllegalArgumentException("position: expected ≥ 0 but got " + position);
        }
        int size = model.stateRows() * model.hiddenSize();
        String shape = "[" + model.stateRows() + ", 1, " + model.hiddenSize() + "]";
        if (hidden.length != size) {
            throw new IllegalArgumentException("hidden: expected " + size + " values " + shape + " but got "
                    + hidden.length);
        }
        if (cell != null && cell.length != size) {
            throw new IllegalArgumentException("cell: expected " + size + " values " + shape + " but got "
                    + cell.length);
        }
        return new SessionState(model.fingerprint(), position, model.stateRows(), model.hiddenSize(), hidden.clone(),
                cell == null ? null : cell.clone());
    }

    /** The architecture fingerprint of the model that produced this state. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Steps the session had consumed when the snapshot was taken. */
    public long position() {
        return position;
    }

    /** State rows: layers × directions. */
    public int rows() {
        return rows;
    }

    /** Hidden size H. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** {@code [rows, 1, H]}. */
    public long[] stateShape() {
        return new long[] {rows, 1, hiddenSize};
    }

    /** A copy of the hidden state h, flat {@code [rows, 1, H]}. */
    public float[] hidden() {
        return hidden.clone();
    }

    /** A copy of the cell state c (LSTM), or empty when the model has none. */
    public Optional<float[]> cell() {
        return cell == null ? Optional.empty() : Optional.of(cell.clone());
    }

    /** Whether the state includes a cell state c (LSTM). */
    public boolean hasCellState() {
        return cell != null;
    }

    /** Direct access for the session, which copies from here into its own buffers; never modified. */
    float[] hiddenArray() {
        return hidden;
    }

    float[] cellArray() {
        return cell;
    }

    /** The serialized form described in the class comment. */
    public byte[] toBytes() {
        int floats = hidden.length + (cell == null ? 0 : cell.length);
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + floats * 4 + 4);
        b.put(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) (cell == null ? 0 : 1));
        b.putLong(Long.parseUnsignedLong(fingerprint, 16)).putLong(position).putInt(rows).putInt(hiddenSize);
        for (float v : hidden) {
            b.putFloat(v);
        }
        if (cell != null) {
            for (float v : cell) {
                b.putFloat(v);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Reads the form written by {@link #toBytes()}.
     *
     * @throws IllegalArgumentException when the bytes are not a session state (bad magic), come from a newer
     *                                  version, are truncated or have trailing bytes, or fail the CRC check
     */
    public static SessionState fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("bytes: not a Stepwise session state (expected the magic 'SWSS' but"
                    + " the first bytes are " + hex(bytes, 4) + ")");
        }
        if (bytes.length < HEADER_BYTES + 4) {
            throw new IllegalArgumentException("bytes: truncated session state: " + bytes.length
                    + " bytes, shorter than the " + (HEADER_BYTES + 4) + "-byte header and checksum");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(MAGIC.length);
        int version = Short.toUnsignedInt(b.getShort());
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("bytes: session state format version " + version
                    + " is not supported; this runtime reads version " + FORMAT_VERSION);
        }
        int flags = Short.toUnsignedInt(b.getShort());
        if ((flags & ~1) != 0) {
            throw new IllegalArgumentException("bytes: unknown session state flags 0x" + Integer.toHexString(flags));
        }
        long fingerprint = b.getLong();
        long position = b.getLong();
        int rows = b.getInt();
        int hiddenSize = b.getInt();
        boolean hasCell = (flags & 1) != 0;
        if (rows < 1 || hiddenSize < 1 || (long) rows * hiddenSize > MAX_STATE_FLOATS || position < 0) {
            throw new IllegalArgumentException("bytes: corrupt session state header (rows " + rows + ", hidden size "
                    + hiddenSize + ", position " + position + ")");
        }
        int perState = rows * hiddenSize;
        long expected = HEADER_BYTES + (long) perState * 4 * (hasCell ? 2 : 1) + 4;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("bytes: " + (bytes.length < expected ? "truncated" : "trailing data in")
                    + " session state: expected " + expected + " bytes for " + rows + "×" + hiddenSize
                    + (hasCell ? " h and c" : " h") + " but got " + bytes.length);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IllegalArgumentException("bytes: session state checksum mismatch (stored "
                    + Integer.toHexString(stored) + ", computed " + Long.toHexString(crc.getValue())
                    + "); the data is corrupt");
        }
        try {
            float[] h = new float[perState];
            for (int i = 0; i < perState; i++) {
                h[i] = b.getFloat();
            }
            float[] c = null;
            if (hasCell) {
                c = new float[perState];
                for (int i = 0; i < perState; i++) {
                    c[i] = b.getFloat();
                }
            }
            return new SessionState(String.format(Locale.ROOT, "%016x", fingerprint), position, rows, hiddenSize, h, c);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("bytes: truncated session state", e);
        }
    }

    private static String hex(byte[] bytes, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, bytes.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", bytes[i]));
        }
        return sb.length() == 0 ? "(none)" : sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionState s && s.fingerprint.equals(fingerprint) && s.position == position
                && s.rows == rows && s.hiddenSize == hiddenSize && Arrays.equals(s.hidden, hidden)
                && Arrays.equals(s.cell, cell);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fingerprint, position, rows, hiddenSize, Arrays.hashCode(hidden), Arrays.hashCode(cell));
    }

    @Override
    public String toString() {
        return "SessionState[model " + fingerprint + ", position " + position + ", " + rows + "×" + hiddenSize
                + (cell == null ? " h" : " h and c") + "]";
    }
}
