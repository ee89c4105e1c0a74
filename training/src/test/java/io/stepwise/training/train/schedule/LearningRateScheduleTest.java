package io.stepwise.training.train.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void constantIsTheSameAtEveryStep() {
        ConstantSchedule s = new ConstantSchedule(0.01f);
        assertEquals(0.01f, s.rate(0));
        assertEquals(0.01f, s.rate(1_000_000));
    }

    @Test
    void cosineFallsFromInitialToLastThroughTheMidpoint() {
        CosineSchedule s = new CosineSchedule(1f, 0f, 4);
        assertEquals(1f, s.rate(0));
        // cos(π/4) = √2/2: (1 + 0.7071) / 2 = 0.8536
        assertEquals(0.85355339f, s.rate(1), 1e-7f);
        assertEquals(0.5f, s.rate(2), 1e-7f);
        assertEquals(0.14644661f, s.rate(3), 1e-7f);
        assertEquals(0f, s.rate(4), 1e-7f);
        assertEquals(0f, s.rate(5));
        CosineSchedule shifted = new CosineSchedule(0.1f, 0.02f, 2);
        assertEquals(0.06f, shifted.rate(1), 1e-7f);
        assertEquals(0.02f, shifted.rate(99));
    }

    @Test
    void stepMultipliesByTheFactorEveryInterval() {
        StepSchedule s = new StepSchedule(0.01f, 0.5f, 3, 0);
        assertEquals(0.01f, s.rate(0));
        assertEquals(0.01f, s.rate(2));
        assertEquals(0.005f, s.rate(3));
        assertEquals(0.0025f, s.rate(6));
        StepSchedule offset = new StepSchedule(0.01f, 0.5f, 3, 2);
        assertEquals(0.01f, offset.rate(0));
        assertEquals(0.005f, offset.rate(1), "step 1 + offset 2 ends the first interval");
    }

    @Test
    void warmUpRisesLinearlyThenHandsOver() {
        WarmUpSchedule s = new WarmUpSchedule(new ConstantSchedule(0.4f), 4, 0.1f);
        assertEquals(0.1f, s.rate(0));
        assertEquals(0.175f, s.rate(1), 1e-7f);
        assertEquals(0.25f, s.rate(2), 1e-7f);
        assertEquals(0.325f, s.rate(3), 1e-7f);
        assertEquals(0.4f, s.rate(4));
        WarmUpSchedule intoCosine = new WarmUpSchedule(new CosineSchedule(1f, 0f, 2), 2, 0f);
        assertEquals(0.5f, intoCosine.rate(1));
        assertEquals(1f, intoCosine.rate(2), "the decay starts after the warm-up");
        assertEquals(0.5f, intoCosine.rate(3), 1e-7f);
        assertEquals(0f, intoCosine.rate(4), 1e-7f);
    }

    @Test
    void badArgumentsNameTheArgument() {
        assertMessage("value", () -> new ConstantSchedule(0f));
        assertMessage("initial", () -> new CosineSchedule(Float.NaN, 0f, 1));
        assertMessage("last", () -> new CosineSchedule(0.1f, 0.1f, 1));
        assertMessage("steps", () -> new CosineSchedule(0.1f, 0f, 0));
        assertMessage("factor", () -> new StepSchedule(0.1f, 1.5f, 1, 0));
        assertMessage("interval", () -> new StepSchedule(0.1f, 0.5f, 0, 0));
        assertMessage("offset", () -> new StepSchedule(0.1f, 0.5f, 1, -1));
        assertMessage("steps", () -> new WarmUpSchedule(new ConstantSchedule(1f), 0, 0f));
        assertMessage("first", () -> new WarmUpSchedule(new ConstantSchedule(1f), 1, -1f));
        assertMessage("step", () -> new ConstantSchedule(1f).rate(-1));
        assertThrows(NullPointerException.class, () -> new WarmUpSchedule(null, 1, 0f));
    }

    private static void assertMessage(String name, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(name + ":"), "message should name " + name + ": " + e.getMessage());
    }
}
