package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.forecast.Frequency;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings derived from a series' frequency and length, and the candidates of the settings search. */
class ForecastDefaultsTest {
    @TempDir
    Path dir;

    private static ForecastDefaults derive(Frequency f, int rows) {
        return ForecastDefaults.derive(Optional.ofNullable(f), rows, "s.csv", null, null, null, null, null, null,
                null, 32);
    }

    @Test
    void weeklyCo2GetsTheSettingsItAlwaysHad() {
        assertEquals(new ForecastDefaults(52, 104, 26, 104, 104, 4.0, 20), derive(Frequency.WEEKLY, 2284));
    }

    @Test
    void eachFrequencyGetsItsSeasonHorizonAndWindow() {
        assertEquals(new ForecastDefaults(12, 24, 12, 24, 24, 4.0, 300), derive(Frequency.MONTHLY, 144));
        ForecastDefaults quarterly = derive(Frequency.QUARTERLY, 108);
        assertEquals(List.of(4, 16, 8, 16, 16), List.of(quarterly.season(), quarterly.window(), quarterly.horizon(),
                quarterly.validationLength(), quarterly.testLength()));
        ForecastDefaults yearly = derive(Frequency.YEARLY, 100);
        assertEquals(List.of(1, 12, 6, 12, 12), List.of(yearly.season(), yearly.window(), yearly.horizon(),
                yearly.validationLength(), yearly.testLength()));
        ForecastDefaults daily = derive(Frequency.DAILY, 1000);
        assertEquals(List.of(7, 28, 14, 28, 28), List.of(daily.season(), daily.window(), daily.horizon(),
                daily.validationLength(), daily.testLength()));
        assertEquals(1, derive(null, 200).season());
        // Fewer windows per epoch, more epochs: about the same number of optimiser steps.
        assertTrue(derive(Frequency.WEEKLY, 700).epochs() > derive(Frequency.WEEKLY, 2284).epochs());
    }

    @Test
    void aShortSeriesIsShortenedInTurnThenRefusedWithTheRowsNeeded() {
        ForecastDefaults shortMonthly = derive(Frequency.MONTHLY, 60);
        assertEquals(12, shortMonthly.horizon());
        assertEquals(12, shortMonthly.validationLength());
        assertEquals(12, shortMonthly.window());
        ForecastDefaults tiny = derive(Frequency.YEARLY, 20);
        assertTrue(tiny.horizon() < 6 && tiny.window() == 2, tiny.toString());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> derive(Frequency.MONTHLY, 12));
        assertEquals(Setting.DATA, e.setting());
        assertTrue(e.getMessage().contains("s.csv has 12 rows") && e.getMessage().contains("needs at least"),
                e.getMessage());
        // Given settings are kept, even when that makes the series too short.
        assertEquals(48, ForecastDefaults.derive(Optional.of(Frequency.MONTHLY), 144, "s.csv", null, 48, null, null,
                null, null, null, 32).window());
    }

    @Test
    void theBuilderDerivesFromTheDataAndTheSearchVariesOnlyWhatWasDerived() throws Exception {
        StringBuilder sb = new StringBuilder("month,sales\n");
        for (int i = 0; i < 120; i++) {
            sb.append(String.format("%04d-%02d,%d%n", 2000 + i / 12, i % 12 + 1, 100 + i % 12));
        }
        Path csv = dir.resolve("monthly.csv");
        Files.writeString(csv, sb.toString());
        TrainingOptions o = TrainingOptions.builder().setTask(TaskKind.FORECAST).setCell(CellKind.GRU)
                .setOut(dir.resolve("m.onnx")).optData(csv).build();
        assertEquals(List.of(12, 24, 12, 24, 24), List.of(o.season(), o.window(), o.horizon(),
                o.validationLength(), o.testLength()));
        assertTrue(o.defaulted().containsAll(List.of(Setting.WINDOW, Setting.LEARNING_RATE,
                Setting.SCALE_HEADROOM)));
        assertEquals(ForecastSearch.DEFAULT_TRIALS, o.trials());
        List<ForecastSearch.Candidate> all = ForecastSearch.candidates(o);
        assertEquals(3, all.size());
        assertEquals(new ForecastSearch.Candidate(o.learningRate(), 24, 4.0), all.get(0));
        assertEquals(1.0, all.get(1).scaleHeadroom());

        TrainingOptions given = TrainingOptions.builder().setTask(TaskKind.FORECAST).setCell(CellKind.GRU)
                .setOut(dir.resolve("m.onnx")).optData(csv).optLearningRate(0.005f).optScaleHeadroom(2.0)
                .optTrials(6).build();
        for (ForecastSearch.Candidate c : ForecastSearch.candidates(given)) {
            assertEquals(0.005f, c.learningRate());
            assertEquals(2.0, c.scaleHeadroom());
        }
        assertEquals(2, ForecastSearch.candidates(given).size(), "only the window was left to vary");
        assertThrows(InvalidSettingException.class, () -> TrainingOptions.builder().setTask(TaskKind.FORECAST)
                .setCell(CellKind.GRU).setOut(dir.resolve("m.onnx")).optData(csv).optTrials(0).build());
    }

    @Test
    void severalSeriesFitTheShortestAndShareTheOptimiserSteps() {
        ForecastDefaults one = derive(Frequency.MONTHLY, 192);
        ForecastDefaults four = ForecastDefaults.derive(Optional.of(Frequency.MONTHLY), new int[] {192, 192, 192, 192},
                "s.csv", null, null, null, null, null, null, null, 32);
        assertEquals(one.window(), four.window());
        // One series: 109 windows, 4 batches of 32, 300 epochs (the most). Four: 436 windows, 14 batches, so
        // ⌈1,200 / 14⌉ = 86 epochs for about the same number of optimiser steps.
        assertEquals(300, one.epochs());
        assertEquals(86, four.epochs());
        ForecastDefaults mixed = ForecastDefaults.derive(Optional.of(Frequency.MONTHLY), new int[] {192, 60},
                "s.csv", null, null, null, null, null, null, null, 32);
        assertEquals(derive(Frequency.MONTHLY, 60).window(), mixed.window());
    }
}
