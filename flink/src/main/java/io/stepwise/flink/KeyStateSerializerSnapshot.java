package io.stepwise.flink;

import io.stepwise.runtime.SessionState;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of {@link KeyStateSerializer} written into checkpoints and savepoints: the snapshot format version, the
 * record version, and the zero state (whose fingerprint is the model's) and name of the model the states belong to.
 *
 * <p>On restore, Flink asks the snapshot of the new job's serializer whether the stored states fit. They do when
 * the fingerprints match (the same model, or one the runtime declares interchangeable); otherwise the states are
 * another model's and stepping them would silently produce garbage, so the answer is incompatible: Flink fails the
 * restore with a {@code StateMigrationException} naming both serializers, i.e. both models and fingerprints, and
 * the reason is logged. Run the job with the old model, or start it without that state.
 */
public final class KeyStateSerializerSnapshot implements TypeSerializerSnapshot<KeyState> {
    private static final Logger LOG = LoggerFactory.getLogger(KeyStateSerializerSnapshot.class);
    /** Version of this snapshot's own format. */
    static final int VERSION = 1;

    private byte[] zeroState;
    private String fingerprint;
    private String model;
    private int recordVersion;

    /** For Flink, which reads the fields with {@link #readSnapshot}. */
    public KeyStateSerializerSnapshot() {
    }

    KeyStateSerializerSnapshot(byte[] zeroState, String model) {
        this.zeroState = zeroState.clone();
        this.fingerprint = SessionState.fromBytes(zeroState).fingerprint();
        this.model = model;
        this.recordVersion = KeyStateSerializer.RECORD_VERSION;
    }

    /** The fingerprint of the model whose states were written. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws java.io.IOException {
        out.writeInt(recordVersion);
        out.writeInt(zeroState.length);
        out.write(zeroState);
        out.writeUTF(model);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
            throws java.io.IOException {
        if (readVersion != VERSION) {
            throw new java.io.IOException("Stepwise key state serializer snapshot version " + readVersion
                    + " is not supported; this version of stepwise-flink reads version " + VERSION);
        }
        recordVersion = in.readInt();
        int length = in.readInt();
        if (length < 0 || length > (1 << 26)) {
            throw new java.io.IOException("Stepwise key state serializer snapshot: corrupt zero-state length " + length);
        }
        zeroState = new byte[length];
        in.readFully(zeroState);
        try {
            fingerprint = SessionState.fromBytes(zeroState).fingerprint();
        } catch (IllegalArgumentException e) {
            throw new java.io.IOException("Stepwise key state serializer snapshot: " + e.getMessage(), e);
        }
        model = in.readUTF();
    }

    @Override
    public TypeSerializer<KeyState> restoreSerializer() {
        return new KeyStateSerializer(zeroState, model);
    }

    @Override
    public TypeSerializerSchemaCompatibility<KeyState> resolveSchemaCompatibility(
            TypeSerializerSnapshot<KeyState> oldSnapshot) {
        if (!(oldSnapshot instanceof KeyStateSerializerSnapshot old)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old.recordVersion > KeyStateSerializer.RECORD_VERSION) {
            LOG.error("The restored Stepwise key states were written in record version {}, newer than this"
                    + " stepwise-flink reads ({})", old.recordVersion, KeyStateSerializer.RECORD_VERSION);
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        if (!old.fingerprint.equals(fingerprint)) {
            LOG.error("The restored Stepwise key states belong to model {} (fingerprint {}), but the job now runs"
                            + " model {} (fingerprint {}): they cannot be stepped by another model. Restore with the"
                            + " old model, or start the job without this state.",
                    old.model, old.fingerprint, model, fingerprint);
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
    }
}
