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
 * each {@code [L·D, 1, H]}, the number of steps consumed, and the fingerprints of the model it belongs to: the
 * model's {@link ModelInfo#fingerprint()} (architecture and weights) and its
 * {@link ModelInfo#architectureFingerprint()}. Take one with {@link Session#snapshot()}, put it back with
 * {@link Session#restore(SessionState)} (on the same or another session of the same model, in this process or
 * another), or persist it with {@link #toBytes()} / {@link #fromBytes(byte[])}. Implementations of
 * {@link Session} that keep the state elsewhere (e.g. a batching front) build one with
 * {@link #of(ModelInfo, long, float[])}.
 *
 * <p><b>Whose state.</b> A state is restored only into a model with the same fingerprint: another model of the
 * same architecture has other weights, and its state would mean something else. To continue a state on such a
 * model on purpose — the same network after fine-tuning — opt in with {@link #adoptedBy(ModelInfo)}, which checks
 * the architecture and re-labels the state. A state read from version-1 bytes knows only its architecture and
 * needs the same opt-in.
 *
 * <p><b>Plausible values.</b> Building a state ({@link #of}), reading one ({@link #fromBytes}) and restoring one
 * refuse NaN and infinity and a position outside [0, {@link #MAX_POSITION}]; restoring ({@link #checkFits}) also
 * refuses values outside what the model's cell can produce (tanh cells: |h| ≤ 1; relu: h ≥ 0; LSTM: |c| within
 * the position plus a margin).
 *
 * <p>Serialized form (big-endian), version {@value #FORMAT_VERSION}: magic {@code "SWSS"}, format version (u16),
 * flags (u16; bit 0 = has cell state, bit 1 = model fingerprint unknown, as in a state first read from version
 * 1), fingerprint (u64), architecture fingerprint (u64), position (i64), rows
 * (i32), hidden size (i32), h (rows·H floats), c (rows·H floats, if present), CRC-32 of everything before it
 * (u32). Version 1, still read, has no architecture fingerprint and its fingerprint field holds the architecture
 * fingerprint.
 */
public final class SessionState {
    /** Version of the serialized form written by {@link #toBytes()}; version 1 is still read. */
    public static final int FORMAT_VERSION = 2;
    /**
     * The largest position a session reaches: 2^53, the largest integer a double (a JSON number) holds exactly.
     * At a million steps a second it is 285 years away; a call that would pass it is refused, so positions never
     * wrap.
     */
    public static final long MAX_POSITION = 1L << 53;
    private static final byte[] MAGIC = {'S', 'W', 'S', 'S'};
    private static final int HEADER_BYTES_V1 = 4 + 2 + 2 + 8 + 8 + 4 + 4;
    private static final int HEADER_BYTES = HEADER_BYTES_V1 + 8;
    private static final int MAX_STATE_FLOATS = 1 << 28;
    /** The fingerprint of a version-1 state, which recorded only the architecture. */
    private static final String UNKNOWN = "";
    private static final int CELL_FLAG = 1;
    private static final int UNKNOWN_FLAG = 2;

    private final String fingerprint;
    private final String architectureFingerprint;
    private final long position;
    private final int rows;
    private final int hiddenSize;
    private final float[] hidden;
    private final float[] cell;
    /**
     * The model whose batched step produced this state and checked it finite, or null: such a state fits that
     * model by construction, so stepping it again skips {@link #checkFits}' scan of every value. Not part of the
     * value (equals, bytes).
     */
    private final ModelInfo producedBy;

    SessionState(String fingerprint, String architectureFingerprint, long position, int rows, int hiddenSize,
                 float[] hidden, float[] cell) {
        this(fingerprint, architectureFingerprint, position, rows, hiddenSize, hidden, cell, null);
    }

    SessionState(String fingerprint, String architectureFingerprint, long position, int rows, int hiddenSize,
                 float[] hidden, float[] cell, ModelInfo producedBy) {
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        this.architectureFingerprint = Objects.requireNonNull(architectureFingerprint, "architectureFingerprint");
        this.position = position;
        this.rows = rows;
        this.hiddenSize = hiddenSize;
        this.hidden = hidden;
        this.cell = cell;
        this.producedBy = producedBy;
    }

    /** Whether {@code model}'s own batched step produced this state (see {@link #producedBy}). */
    boolean producedBy(ModelInfo model) {
        return producedBy == model;
    }

    /**
     * The state of a model without a cell state (RNN, GRU).
     *
     * @param model    the model the state belongs to (its fingerprint and state shape)
     * @param position steps consumed, ≥ 0
     * @param hidden   h, flat {@code [rows, 1, H]}: {@link ModelInfo#stateRows()} × {@link ModelInfo#hiddenSize()}
     *                 values; copied
     * @throws IllegalArgumentException when the model has a cell state, the position is outside
     *                                  [0, {@link #MAX_POSITION}], the length does not fit, or a value is not finite
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
     * @throws IllegalArgumentException when the model has no cell state, or as {@link #of(ModelInfo, long, float[])}
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
        float[] h = hidden.clone();
        float[] c = cell == null ? null : cell.clone();
        StateChecks.checkPosition(position, "position");
        StateChecks.checkFinite(h, "hidden");
        if (c != null) {
            StateChecks.checkFinite(c, "cell");
        }
        return new SessionState(model.fingerprint(), model.architectureFingerprint(), position, model.stateRows(),
                model.hiddenSize(), h, c);
    }

    /**
     * This state, re-labelled as a state of {@code model}: the explicit opt-in to continue a state on a model with
     * the same architecture but other weights (e.g. the same network after fine-tuning), or to accept a state read
     * from version-1 bytes, which recorded only the architecture.
     *
     * @throws IllegalArgumentException when {@code model}'s architecture differs (the message names both
     *                                  architecture fingerprints), or the values are impossible for its cell
     */
    public SessionState adoptedBy(ModelInfo model) {
        Objects.requireNonNull(model, "model");
        if (!architectureFingerprint.equals(model.architectureFingerprint())) {
            throw new IllegalArgumentException("state: it belongs to a model with architecture fingerprint "
                    + architectureFingerprint + " but the model has architecture fingerprint "
                    + model.architectureFingerprint() + " (another cell, size, input, head or vocabulary); a state"
                    + " can only be adopted by a model of the same architecture");
        }
        StateChecks.check(model, position, hidden, cell);
        return new SessionState(model.fingerprint(), model.architectureFingerprint(), position, rows, hiddenSize,
                hidden, cell);
    }

    /**
     * Checks that this state can be restored into a session of {@code model}: same fingerprint, same shape,
     * plausible values. For implementations of {@link Session#restore}.
     *
     * @throws IllegalArgumentException naming what differs and, for a state of a model with the same architecture,
     *                                  the opt-in {@link #adoptedBy(ModelInfo)}
     */
    public void checkFits(ModelInfo model) {
        Objects.requireNonNull(model, "model");
        if (!fingerprint.equals(model.fingerprint())) {
            boolean sameArchitecture = architectureFingerprint.equals(model.architectureFingerprint());
            String why = fingerprint.equals(UNKNOWN)
                    ? "it was saved in session state version 1, which records only the architecture ("
                    + architectureFingerprint + ")"
                    : "it belongs to a model with fingerprint " + fingerprint + " but this model has fingerprint "
                    + model.fingerprint();
            throw new IllegalArgumentException("state: " + why + (sameArchitecture
                    ? "; the architecture is the same but the weights may differ. To continue it on this model on"
                    + " purpose (e.g. after fine-tuning), restore state.adoptedBy(model.info())"
                    : " (another architecture, vocabulary or weights)"));
        }
        if (rows != model.stateRows() || hiddenSize != model.hiddenSize() || hasCellState() != model.hasCellState()) {
            throw new IllegalArgumentException("state: shape " + rows + "×" + hiddenSize
                    + (hasCellState() ? " (h, c)" : " (h)") + " does not fit this model's " + model.stateRows() + "×"
                    + model.hiddenSize() + (model.hasCellState() ? " (h, c)" : " (h)"));
        }
        StateChecks.check(model, position, hidden, cell);
    }

    /**
     * The fingerprint of the model that produced this state ({@link ModelInfo#fingerprint()}: architecture and
     * weights); empty for a state read from version-1 bytes.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** The architecture fingerprint of the model that produced this state ({@link ModelInfo#architectureFingerprint()}). */
    public String architectureFingerprint() {
        return architectureFingerprint;
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
        b.put(MAGIC).putShort((short) FORMAT_VERSION)
                .putShort((short) ((cell == null ? 0 : CELL_FLAG) | (fingerprint.equals(UNKNOWN) ? UNKNOWN_FLAG : 0)));
        b.putLong(fingerprint.equals(UNKNOWN) ? 0 : hex64(fingerprint));
        b.putLong(hex64(architectureFingerprint)).putLong(position).putInt(rows).putInt(hiddenSize);
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
     * Reads the form written by {@link #toBytes()}, of version 2 or 1 (a version-1 state knows only its
     * architecture: restore it through {@link #adoptedBy(ModelInfo)}).
     *
     * @throws IllegalArgumentException when the bytes are not a session state (bad magic), come from a newer
     *                                  version, are truncated or have trailing bytes, fail the CRC check, or hold a
     *                                  position outside [0, {@link #MAX_POSITION}] or a NaN or infinite value
     */
    public static SessionState fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("bytes: not a Stepwise session state (expected the magic 'SWSS' but"
                    + " the first bytes are " + hex(bytes, 4) + ")");
        }
        if (bytes.length < MAGIC.length + 2) {
            throw new IllegalArgumentException("bytes: truncated session state: " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(MAGIC.length);
        int version = Short.toUnsignedInt(b.getShort());
        if (version != 1 && version != FORMAT_VERSION) {
            throw new IllegalArgumentException("bytes: session state format version " + version
                    + " is not supported; this runtime reads versions 1 and " + FORMAT_VERSION);
        }
        int header = version == 1 ? HEADER_BYTES_V1 : HEADER_BYTES;
        if (bytes.length < header + 4) {
            throw new IllegalArgumentException("bytes: truncated session state: " + bytes.length
                    + " bytes, shorter than the " + (header + 4) + "-byte header and checksum of version " + version);
        }
        int flags = Short.toUnsignedInt(b.getShort());
        int known = version == 1 ? CELL_FLAG : CELL_FLAG | UNKNOWN_FLAG;
        if ((flags & ~known) != 0) {
            throw new IllegalArgumentException("bytes: unknown session state flags 0x" + Integer.toHexString(flags));
        }
        long first = b.getLong();
        String fingerprint;
        String architecture;
        if (version == 1) {
            fingerprint = UNKNOWN;
            architecture = hex64(first);
        } else {
            fingerprint = (flags & UNKNOWN_FLAG) != 0 ? UNKNOWN : hex64(first);
            architecture = hex64(b.getLong());
        }
        long position = b.getLong();
        int rows = b.getInt();
        int hiddenSize = b.getInt();
        boolean hasCell = (flags & CELL_FLAG) != 0;
        if (rows < 1 || hiddenSize < 1 || (long) rows * hiddenSize > MAX_STATE_FLOATS) {
            throw new IllegalArgumentException("bytes: corrupt session state header (rows " + rows + ", hidden size "
                    + hiddenSize + ")");
        }
        int perState = rows * hiddenSize;
        long expected = header + (long) perState * 4 * (hasCell ? 2 : 1) + 4;
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
        // Checked after the CRC, so that a corrupt file is reported as corrupt rather than as an odd value.
        StateChecks.checkPosition(position, "bytes: position");
        try {
            float[] h = new float[perState];
            for (int i = 0; i < perState; i++) {
                h[i] = b.getFloat();
            }
            StateChecks.checkFinite(h, "bytes: hidden");
            float[] c = null;
            if (hasCell) {
                c = new float[perState];
                for (int i = 0; i < perState; i++) {
                    c[i] = b.getFloat();
                }
                StateChecks.checkFinite(c, "bytes: cell");
            }
            return new SessionState(fingerprint, architecture, position, rows, hiddenSize, h, c);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("bytes: truncated session state", e);
        }
    }

    private static String hex64(long value) {
        return String.format(Locale.ROOT, "%016x", value);
    }

    private static long hex64(String value) {
        return Long.parseUnsignedLong(value, 16);
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
        return o instanceof SessionState s && s.fingerprint.equals(fingerprint)
                && s.architectureFingerprint.equals(architectureFingerprint) && s.position == position
                && s.rows == rows && s.hiddenSize == hiddenSize && Arrays.equals(s.hidden, hidden)
                && Arrays.equals(s.cell, cell);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fingerprint, architectureFingerprint, position, rows, hiddenSize, Arrays.hashCode(hidden), Arrays.hashCode(cell));
    }

    @Override
    public String toString() {
        return "SessionState[model " + (fingerprint.equals(UNKNOWN) ? "unknown (version 1)" : fingerprint)
                + ", architecture " + architectureFingerprint + ", position " + position + ", " + rows + "×" + hiddenSize
                + (cell == null ? " h" : " h and c") + "]";
    }
}
