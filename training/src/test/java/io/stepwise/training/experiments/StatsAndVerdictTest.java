package io.stepwise.training.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsAndVerdictTest {
    @Test
    void statsAreTheSampleMeanAndStandardDeviation() {
        Stats s = Stats.of(1, 2, 3, 4);
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3.0), s.sd(), 1e-12);
        assertEquals(1, s.min());
        assertEquals(4, s.max());
        assertEquals(0, Stats.of(7).sd());
        assertEquals(2.5, Stats.median(4, 1, 3, 2), 1e-12);
        assertEquals(3, Stats.median(5, 1, 3), 1e-12);
        assertThrows(IllegalArgumentException.class, Stats::of);
    }

    @Test
    void verdictCountsTheParts() {
        assertEquals(Verdict.HELD, Verdict.of(3, 3));
        assertEquals(Verdict.HELD_PARTLY, Verdict.of(1, 3));
        assertEquals(Verdict.DID_NOT_HOLD, Verdict.of(0, 3));
        assertEquals(Verdict.HELD_PARTLY, Verdict.fromLabel("held partly"));
        assertThrows(IllegalArgumentException.class, () -> Verdict.of(0, 0));
        assertThrows(IllegalArgumentException.class, () -> Verdict.fromLabel("maybe"));
    }

    @Test
    void scaleNamesAreCheckedWithAClearError() {
        assertEquals(ExperimentScale.QUICK, ExperimentScale.fromId("QUICK"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentScale.fromId("huge"));
        assertEquals("scale: expected quick or full but got 'huge'", e.getMessage());
    }
}
