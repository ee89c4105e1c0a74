package io.stepwise.spring.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One session as kept in a {@link SessionStore}: which model, whose, its position (the steps it has consumed — the
 * version every update is checked against), the state ({@code SessionState.toBytes()}), the model's last output
 * (what a forecaster predicts next; empty before the first step) and when it expires.
 *
 * @param id         unguessable id
 * @param model      the served model's name
 * @param owner      who may use it (a hash of the API key that created it; empty = anyone)
 * @param position   steps consumed, ≥ 0
 * @param state      the serialized {@code SessionState}
 * @param lastOutput the model's output for the last step (empty before any)
 * @param expiresAt  when the store forgets it
 */
public record StoredSession(String id, String model, String owner, long position, byte[] state, float[] lastOutput,
                            Instant expiresAt) {

    public StoredSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (position < 0) {
            throw new IllegalArgumentException("position: expected ≥ 0 but got " + position);
        }
        state = Objects.requireNonNull(state, "state").clone();
        lastOutput = lastOutput == null ? new float[0] : lastOutput.clone();
    }

    @Override
    public byte[] state() {
        return state.clone();
    }

    @Override
    public float[] lastOutput() {
        return lastOutput.clone();
    }

    /** The same session at a new position with a new state, output and expiry. */
    public StoredSession advance(long newPosition, byte[] newState, float[] newLastOutput, Instant newExpiresAt) {
        return new StoredSession(id, model, owner, newPosition, newState, newLastOutput, newExpiresAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredSession s && id.equals(s.id) && model.equals(s.model) && owner.equals(s.owner)
                && position == s.position && Arrays.equals(state, s.state) && Arrays.equals(lastOutput, s.lastOutput)
                && expiresAt.equals(s.expiresAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, position);
    }

    @Override
    public String toString() {
        return "StoredSession[" + id + ", " + model + ", position " + position + ", " + state.length
                + " state bytes, expires " + expiresAt + "]";
    }
}
