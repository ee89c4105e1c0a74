package io.stepwise.training.tasks.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.forecast.Frequency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several series in one long file: split by the series column, each regularised on its own, one frequency. */
class ForecastPanelTest {
    @TempDir
    Path dir;

    private static final ForecastColumns COLUMNS = new ForecastColumns("sales", List.of(), "month", "store");

    @Test
    void eachSeriesIsCheckedOnItsOwnInOrderOfFirstAppearance() throws Exception {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "month,store,sales\n2020-03,b,30\n2020-01,a,1\n2020-02,b,20\n2020-01,b,10\n"
                + "2020-02,a,2\n2020-04,a,4\n");
        ForecastProtocol.Panel panel = ForecastProtocol.loadPanel(csv, COLUMNS);
        assertTrue(panel.isGlobal());
        assertEquals("store", panel.seriesColumn());
        assertEquals(List.of("b", "a"), panel.keys());
        assertEquals(Optional.of(Frequency.MONTHLY), panel.frequency());
        // b came newest first and is sorted; a misses 2020-03, which is inserted for a only.
        assertEquals(List.of("2020-01", "2020-02", "2020-03"), panel.series().get(0).series().timeStamps());
        assertEquals(4, panel.series().get(1).series().length());
        assertTrue(Double.isNaN(panel.series().get(1).series().values()[2][0]));
        assertEquals(3, panel.shortestLength());
        assertEquals("b", panel.shortestKey());
        InvalidSettingException one = assertThrows(InvalidSettingException.class,
                () -> ForecastProtocol.load(csv, COLUMNS));
        assertTrue(one.getMessage().contains("holds 2 series in column 'store'"), one.getMessage());
    }

    @Test
    void seriesOfDifferentFrequenciesAreRefusedNamingTheSeries() throws Exception {
        Path csv = dir.resolve("mixed.csv");
        Files.writeString(csv, "month,store,sales\n2020-01,a,1\n2020-02,a,2\n2020-03,a,3\n"
                + "2020-01-01,b,1\n2020-04-01,b,2\n2020-07-01,b,3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ForecastProtocol.loadPanel(csv, COLUMNS));
        assertTrue(e.getMessage().contains("(store b)") && e.getMessage().contains("monthly"), e.getMessage());
    }

    @Test
    void aFileOfOneSeriesWithASeriesColumnIsNotGlobal() throws Exception {
        Path csv = dir.resolve("one.csv");
        Files.writeString(csv, "month,store,sales\n2020-01,a,1\n2020-02,a,2\n");
        ForecastProtocol.Panel panel = ForecastProtocol.loadPanel(csv, COLUMNS);
        assertFalse(panel.isGlobal());
        assertEquals(2, ForecastProtocol.load(csv, COLUMNS).series().length());
    }
}
