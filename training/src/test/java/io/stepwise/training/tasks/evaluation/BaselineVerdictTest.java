package io.stepwise.training.tasks.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.tasks.evaluation.BaselineVerdict.Outcome;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselineVerdictTest {
    @Test
    void higherIsBetterWinsAndLoses() {
        BaselineVerdict win = BaselineVerdict.accuracy("test_accuracy", 0.912, "naive Bayes", 0.88);
        assertEquals(Outcome.BEATS, win.outcome());
        assertTrue(win.beatsBaseline());
        assertEquals(3.636, win.improvementPercent(), 1e-3);
        assertEquals("beats its baseline: test accuracy 91.20 % vs naive Bayes 88.00 % (3.6 % better)",
                win.sentence());

        BaselineVerdict loss = BaselineVerdict.accuracy("test_accuracy", 0.80, "naive Bayes", 0.88);
        assertEquals(Outcome.LOSES, loss.outcome());
        assertFalse(loss.beatsBaseline());
        assertTrue(loss.sentence().startsWith("DOES NOT BEAT its baseline: test accuracy 80.00 %"), loss.sentence());
    }

    @Test
    void lowerIsBetterIsJudgedTheOtherWay() {
        BaselineVerdict mase = BaselineVerdict.mase("test_mase", 0.879, "seasonal naive", 0.434);
        assertEquals(Outcome.LOSES, mase.outcome());
        assertEquals("DOES NOT BEAT its baseline: test MASE 0.879 vs seasonal naive 0.434 (102.5 % worse)",
                mase.sentence());
        BaselineVerdict bits = BaselineVerdict.bits("val_bpc", "validation bits per character", 2.0,
                "Kneser-Ney 5-gram", 2.5);
        assertEquals(Outcome.BEATS, bits.outcome());
        assertEquals(20.0, bits.improvementPercent(), 1e-9);
        assertTrue(bits.sentence().contains("2.000 bits vs Kneser-Ney 5-gram 2.500 bits"), bits.sentence());
    }

    @Test
    void aTieOrAMissingValueIsNotAWin() {
        BaselineVerdict tie = BaselineVerdict.accuracy("test_accuracy", 0.5, "naive Bayes", 0.5);
        assertEquals(Outcome.TIES, tie.outcome());
        assertFalse(tie.beatsBaseline());
        assertTrue(tie.sentence().startsWith("DOES NOT BEAT"));
        BaselineVerdict nan = BaselineVerdict.mase("test_mase", Double.NaN, "seasonal naive", 0.4);
        assertEquals(Outcome.UNKNOWN, nan.outcome());
        assertFalse(nan.beatsBaseline());
        assertTrue(Double.isNaN(nan.improvementPercent()));
        assertTrue(nan.sentence().contains("n/a"), nan.sentence());
    }

    @Test
    void theStoredFormReadsBackToTheSameVerdict() {
        BaselineVerdict v = BaselineVerdict.bits("val_bpe", "validation bits per event", 1.25, "Kneser-Ney 3-gram",
                1.5);
        Map<String, Object> stored = v.toMap();
        assertEquals("beats", stored.get("outcome"));
        assertEquals(v.sentence(), stored.get("verdict"));
        assertEquals(v, BaselineVerdict.fromMap(stored));
        Map<String, Object> broken = new HashMap<>(stored);
        broken.put("higher_is_better", "yes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BaselineVerdict.fromMap(broken));
        assertTrue(e.getMessage().startsWith("baseline.higher_is_better"), e.getMessage());
        Map<String, Object> unknown = new HashMap<>(stored);
        unknown.put("value", null);
        assertEquals(Outcome.UNKNOWN, BaselineVerdict.fromMap(unknown).outcome());
    }

    @Test
    void fromMetricsKnowsEachTasksPrimaryMetricAndBaseline() {
        assertEquals(Outcome.LOSES, BaselineVerdict.fromMetrics(Map.of("test_mase", 0.9, "baseline_snaive_mase",
                0.5)).orElseThrow().outcome());
        BaselineVerdict lm = BaselineVerdict.fromMetrics(Map.of("val_bpc", 2.1, "baseline_kn5_bpc", 2.2))
                .orElseThrow();
        assertEquals("Kneser-Ney 5-gram", lm.baseline());
        assertTrue(lm.beatsBaseline());
        assertEquals("naive Bayes", BaselineVerdict.fromMetrics(Map.of("test_accuracy", 0.9,
                "baseline_naive_bayes_accuracy", 0.8)).orElseThrow().baseline());
        assertTrue(BaselineVerdict.fromMetrics(Map.of("test_accuracy", 0.9)).isEmpty());
    }
}
