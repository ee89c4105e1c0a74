package io.stepwise.flink;

import io.stepwise.runtime.SessionState;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Objects;

/**
 * Writes a {@link KeyState} into Flink's keyed state. The recurrent state is written as the runtime's own
 * {@link SessionState} bytes (versioned, checksummed, carrying the model's fingerprint) and read back through
 * {@link SessionState#fromBytes}, which refuses corrupt or unknown data; the rest is a few fixed fields.
 *
 * <p>The serializer knows the fingerprint of the model the operator runs. Its snapshot (written into every
 * checkpoint and savepoint) records it, so a job restored with a model of another fingerprint is refused when the
 * state is registered, before any event is stepped: see {@link KeyStateSerializerSnapshot}.
 *
 * <p>Record layout (version {@value #RECORD_VERSION}): version byte, session state length (int) and bytes, last
 * timestamp (long), last output length (int) and floats, error count (long), mean squared error length (int) and
 * doubles.
 */
public final class KeyStateSerializer extends TypeSerializer<KeyState> {
    private static final long serialVersionUID = 1L;
    /** The version byte at the start of every record this serializer writes. */
    static final int RECORD_VERSION = 1;
    /** Refuses absurd lengths in corrupt data before allocating. */
    private static final int MAX_ARRAY = 1 << 26;

    private final byte[] zeroState;
    private final String fingerprint;
    private final String model;

    /**
     * @param zeroState the model's zero state (what a new key starts from); its fingerprint is the model's
     * @param model     the model's name or path, for messages
     */
    public KeyStateSerializer(SessionState zeroState, String model) {
        this(Objects.requireNonNull(zeroState, "zeroState").toBytes(), model);
    }

    /** From the zero state's bytes, as a snapshot stores them. */
    KeyStateSerializer(byte[] zeroState, String model) {
        this.zeroState = zeroState.clone();
        this.fingerprint = SessionState.fromBytes(zeroState).fingerprint();
        this.model = Objects.requireNonNull(model, "model");
    }

    /** The fingerprint of the model whose states this serializer holds. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The model's name or path. */
    public String model() {
        return model;
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<KeyState> duplicate() {
        return this;
    }

    @Override
    public KeyState createInstance() {
        return KeyState.fresh(SessionState.fromBytes(zeroState));
    }

    @Override
    public KeyState copy(KeyState from) {
        return from;
    }

    @Override
    public KeyState copy(KeyState from, KeyState reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(KeyState record, DataOutputView target) throws IOException {
        target.writeByte(RECORD_VERSION);
        byte[] session = record.session().toBytes();
        target.writeInt(session.length);
        target.write(session);
        target.writeLong(record.lastTimestamp());
        float[] out = record.lastOutput();
        target.writeInt(out.length);
        for (float v : out) {
            target.writeFloat(v);
        }
        target.writeLong(record.errors());
        double[] mse = record.meanSquaredError();
        target.writeInt(mse.length);
        for (double v : mse) {
            target.writeDouble(v);
        }
    }

    @Override
    public KeyState deserialize(DataInputView source) throws IOException {
        int version = source.readUnsignedByte();
        if (version != RECORD_VERSION) {
            throw new IOException("Stepwise key state record version " + version + " is not supported; this"
                    + " version of stepwise-flink reads version " + RECORD_VERSION);
        }
        byte[] bytes = new byte[length(source.readInt(), "session state")];
        source.readFully(bytes);
        SessionState session;
        try {
            session = SessionState.fromBytes(bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException("Stepwise key state: " + e.getMessage(), e);
        }
        long last = source.readLong();
        float[] out = new float[length(source.readInt(), "last output")];
        for (int i = 0; i < out.length; i++) {
            out[i] = source.readFloat();
        }
        long errors = source.readLong();
        double[] mse = new double[length(source.readInt(), "mean squared error")];
        for (int i = 0; i < mse.length; i++) {
            mse[i] = source.readDouble();
        }
        return new KeyState(session, last, out, errors, mse);
    }

    private static int length(int n, String what) throws IOException {
        if (n < 0 || n > MAX_ARRAY) {
            throw new IOException("Stepwise key state: corrupt length " + n + " of the " + what);
        }
        return n;
    }

    @Override
    public KeyState deserialize(KeyState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyStateSerializer s && s.fingerprint.equals(fingerprint);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
        return new KeyStateSerializerSnapshot(zeroState, model);
    }

    @Override
    public String toString() {
        return "Stepwise key state of model " + fingerprint + " (" + model + ")";
    }
}
