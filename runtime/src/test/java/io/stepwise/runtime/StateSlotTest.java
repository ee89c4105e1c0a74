package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link StateSlot}s advanced in place by {@link RecurrentModel#feedAll(StateSlot[], int[][])}. */
class StateSlotTest {
    static java.util.List<BatchTestModels.Kind> kinds() {
        return BatchTestModels.all();
    }

    /**
     * Slots stepped and fed (ragged lengths) give the outputs and states of {@code feedAll} on plain states, with
     * snapshots taken in between left exactly as they were, and steps without a snapshot reusing the arrays.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void slotsEqualStatesAndSnapshotsNeverChange(BatchTestModels.Kind kind) {
        Random rnd = new Random(kind.hashCode());
        try (RecurrentModel model = BatchTestModels.load(kind, 5)) {
            ModelInfo info = model.info();
            int rows = 2 + rnd.nextInt(6);
            SessionState[] states = new SessionState[rows];
            StateSlot[] slots = new StateSlot[rows];
            for (int i = 0; i < rows; i++) {
                states[i] = model.initialState();
                slots[i] = new StateSlot(states[i]);
            }
            SessionState snapshot = null;
            SessionState snapshotCopy = null;
            for (int round = 0; round < 8; round++) {
                int[] lengths = new int[rows];
                for (int i = 0; i < rows; i++) {
                    lengths[i] = round % 3 == 2 ? 1 + rnd.nextInt(4) : 1; // some rounds are ragged feeds
                }
                SessionState before = slots[0].peek();
                SteppedStates expected;
                float[][][] actual;
                if (info.isTokenInput()) {
                    int[][] tokens = new int[rows][];
                    for (int i = 0; i < rows; i++) {
                        tokens[i] = RandomModels.randomTokens(rnd, lengths[i], info.inputSize());
                    }
                    expected = model.feedAll(states, tokens);
                    actual = model.feedAll(slots, tokens);
                } else {
                    float[][][] features = new float[rows][][];
                    for (int i = 0; i < rows; i++) {
                        features[i] = RandomModels.randomSteps(rnd, lengths[i], info.inputSize());
                    }
                    expected = model.feedAll(states, features);
                    actual = model.feedAll(slots, features);
                }
                for (int i = 0; i < rows; i++) {
                    float[][] want = expected.outputs(i);
                    assertEquals(want.length, actual[i].length, kind + " row " + i);
                    for (int t = 0; t < want.length; t++) {
                        RecurrentModelStepAllTest.assertClose(want[t], actual[i][t], kind + " row " + i);
                    }
                    states[i] = expected.state(i);
                    RecurrentModelStepAllTest.assertState(states[i], slots[i].peek(), kind + " row " + i);
                }
                if (round >= 2 && round != 3) { // from round 2 on slot 0 was produced in place, unless shared
                    assertSame(before.hiddenArray(), slots[0].peek().hiddenArray(), kind + " round " + round);
                }
                if (round == 3) { // the snapshot taken after round 2 forced round 3 into new arrays
                    assertNotSame(before.hiddenArray(), slots[0].peek().hiddenArray(), kind + " round " + round);
                }
                if (round == 2) {
                    snapshot = slots[0].state();
                    snapshotCopy = SessionState.fromBytes(snapshot.toBytes());
                }
            }
            assertEquals(snapshotCopy, snapshot, "a snapshot never changes");
            assertEquals(slots[1].state().position(), slots[1].position());
        }
    }

    @Test
    void aFailedCallLeavesEverySlotAsItWas() {
        try (RecurrentModel model = RecurrentModel.fromBytes(RunLimitsTest.overflowing())) {
            StateSlot a = new StateSlot(model.initialState());
            StateSlot b = new StateSlot(model.initialState());
            StateSlot[] both = {a, b};
            model.feedAll(both, new float[][][] {{{1e-20f}}, {{2e-20f}}});
            model.feedAll(both, new float[][][] {{{1e-20f}}, {{2e-20f}}}); // now both are written in place
            SessionState aBefore = SessionState.fromBytes(a.peek().toBytes());
            SessionState bBefore = SessionState.fromBytes(b.peek().toBytes());
            assertThrows(NonFiniteOutputException.class,
                    () -> model.feedAll(both, new float[][][] {{{1e-20f}}, {{1e30f}}}));
            assertEquals(aBefore, a.peek());
            assertEquals(bBefore, b.peek());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> model.feedAll(both, new float[][][] {{{1e-20f}}, {{Float.NaN}}}));
            assertTrue(bad.getMessage().contains("features[1]"), bad.getMessage());
            assertEquals(aBefore, a.peek());
            // the slots are free again, and still advance in place
            float[] aArray = a.peek().hiddenArray();
            model.feedAll(both, new float[][][] {{{1e-20f}}, {{2e-20f}}});
            assertEquals(aBefore.position() + 1, a.position());
            assertSame(aArray, a.peek().hiddenArray());
        }
    }

    @Test
    void aSlotListedTwiceIsRefusedAndStaysUsable() {
        BatchTestModels.Kind kind = new BatchTestModels.Kind(CellKind.GRU, true, HeadKind.PER_STEP, 1);
        try (RecurrentModel model = BatchTestModels.load(kind, 2)) {
            StateSlot a = new StateSlot(model.initialState());
            StateSlot b = new StateSlot(model.initialState());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> model.feedAll(new StateSlot[] {a, b, a}, new int[][] {{1}, {2}, {3}}));
            assertTrue(e.getMessage().contains("slots[2]") && e.getMessage().contains("already"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> model.feedAll(new StateSlot[] {a, null}, new int[][] {{1}, {2}}));
            model.feedAll(new StateSlot[] {a, b}, new int[][] {{1}, {2}});
            assertEquals(1, a.position());
            SessionState restored = model.initialState();
            a.set(restored);
            assertSame(restored, a.state());
            model.feedAll(new StateSlot[] {a}, new int[][] {{4}});
            assertEquals(0, restored.position(), "a state set into a slot is never written");
            assertTrue(java.util.Arrays.equals(new float[restored.hidden().length], restored.hidden()));
        }
    }

    /**
     * Snapshots taken from another thread while a slot is stepped (in place whenever no snapshot intervened) stay
     * exactly as they were taken, in order, and the slot ends where a plain session ends.
     */
    @Test
    void snapshotsTakenWhileAnotherThreadStepsNeverChange() throws Exception {
        BatchTestModels.Kind kind = new BatchTestModels.Kind(CellKind.LSTM, true, HeadKind.PER_STEP, 2);
        try (RecurrentModel model = BatchTestModels.load(kind, 4); StepSession plain = model.newSession()) {
            StateSlot slot = new StateSlot(model.initialState());
            int steps = 1000;
            int[] tokens = RandomModels.randomTokens(new Random(9), steps, model.info().inputSize());
            Thread stepper = new Thread(() -> {
                for (int t = 0; t < steps; t++) {
                    model.feedAll(new StateSlot[] {slot}, new int[][] {{tokens[t]}});
                }
            });
            java.util.List<SessionState> taken = new java.util.ArrayList<>();
            java.util.List<byte[]> bytesThen = new java.util.ArrayList<>();
            stepper.start();
            while (stepper.isAlive()) {
                SessionState s = slot.state();
                taken.add(s);
                bytesThen.add(s.toBytes());
            }
            stepper.join();
            long last = -1;
            for (int k = 0; k < taken.size(); k++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(bytesThen.get(k), taken.get(k).toBytes(),
                        "snapshot " + k + " at position " + taken.get(k).position());
                assertTrue(taken.get(k).position() >= last);
                last = taken.get(k).position();
            }
            plain.feed(tokens);
            RecurrentModelStepAllTest.assertState(plain.snapshot(), slot.state(), "after " + steps + " steps");
        }
    }
}
