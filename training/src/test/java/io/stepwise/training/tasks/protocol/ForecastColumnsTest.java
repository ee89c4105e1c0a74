package io.stepwise.training.tasks.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.cli.TimeIndex;
import io.stepwise.runtime.forecast.Frequency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing a forecaster's columns and checking its time stamps, on small generated files. */
class ForecastColumnsTest {
    @TempDir
    Path dir;

    private Path csv(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static InvalidSettingException refused(Setting setting, org.junit.jupiter.api.function.Executable e) {
        InvalidSettingException x = assertThrows(InvalidSettingException.class, e);
        assertEquals(setting, x.setting(), x.getMessage());
        return x;
    }

    @Test
    void severalValueColumnsNeedATargetAndAreNeverGuessed() throws Exception {
        Path file = csv("macro.csv", "quarter,year,gdp,cpi\n2000-Q1,2000,10,1\n2000-Q2,2000,11,1.1\n");
        InvalidSettingException e = refused(Setting.TARGET, () -> ForecastProtocol.load(file,
                ForecastColumns.DEFAULT));
        assertTrue(e.getMessage().contains("3 value columns [year, gdp, cpi]"), e.getMessage());
        assertTrue(e.getMessage().contains("'quarter' was taken as the time column"), e.getMessage());
        assertTrue(e.message(s -> "--" + s.id()).contains("name the one to forecast with --target"), e.getMessage());

        ForecastProtocol.Loaded loaded = ForecastProtocol.load(file, new ForecastColumns("gdp", List.of("cpi"),
                null, null));
        assertEquals(List.of("gdp", "cpi"), loaded.series().columns());
        assertEquals(Frequency.QUARTERLY, loaded.frequency().orElseThrow());
        assertTrue(loaded.describe().startsWith("target 'gdp', covariates [cpi], time 'quarter': quarterly"),
                loaded.describe());
    }

    @Test
    void unknownColumnsAreNamedWithTheColumnsThereAre() throws Exception {
        Path file = csv("s.csv", "month,sales,price\n2020-01,1,2\n2020-02,2,2\n");
        for (Setting s : List.of(Setting.TARGET, Setting.TIME, Setting.SERIES)) {
            ForecastColumns c = switch (s) {
                case TARGET -> new ForecastColumns("revenue", List.of(), null, null);
                case TIME -> new ForecastColumns("sales", List.of(), "date", null);
                default -> new ForecastColumns("sales", List.of(), null, "store");
            };
            InvalidSettingException e = refused(s, () -> ForecastProtocol.load(file, c));
            assertTrue(e.getMessage().contains("its columns are [month, sales, price]"), e.getMessage());
        }
        refused(Setting.FEATURES, () -> ForecastProtocol.load(file, new ForecastColumns("sales", List.of("cost"),
                null, null)));
        refused(Setting.FEATURES, () -> ForecastProtocol.load(file, new ForecastColumns("sales", List.of("sales"),
                null, null)));
        refused(Setting.FEATURES, () -> new ForecastColumns(null, List.of("price"), null, null));
    }

    @Test
    void timeStampsAreCheckedSortedAndGapsFilled() throws Exception {
        Path file = csv("gappy.csv", "date,v\n2020-01-05,5\n2020-01-04,4\n2020-01-01,1\n2020-01-02,2\n");
        ForecastProtocol.Loaded loaded = ForecastProtocol.load(file, ForecastColumns.DEFAULT);
        TimeIndex.Report report = loaded.timeline().orElseThrow();
        assertEquals(Frequency.DAILY, report.frequency());
        assertEquals(TimeIndex.Order.UNSORTED, report.order());
        assertEquals(1, report.insertedRows());
        assertEquals(List.of("2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04", "2020-01-05"),
                loaded.series().timeStamps());
        assertTrue(Double.isNaN(loaded.series().values()[2][0]));
        Path dup = csv("dup.csv", "year,v\n2001,1\n2002,2\n2002,3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ForecastProtocol.load(dup, ForecastColumns.DEFAULT));
        assertTrue(e.getMessage().contains("fall in the same year"), e.getMessage());
        Path undated = csv("undated.csv", "v\n1\n2\n3\n");
        assertTrue(ForecastProtocol.load(undated, ForecastColumns.DEFAULT).describe()
                .contains("no time column: rows taken as equally spaced"));
    }

    @Test
    void theColumnsAreRecordedInTheProtocolAndReadBack() {
        ForecastColumns c = new ForecastColumns("gdp", List.of("cpi", "rate"), "quarter", null);
        Map<String, Object> m = new ForecastProtocol.Protocol("macro.csv", 8, 8, 16, 8, 4, c).toMap();
        assertEquals("gdp", m.get("target"));
        assertEquals(c, ForecastColumns.from(m));
        assertEquals(ForecastColumns.DEFAULT, ForecastColumns.from(Map.of("data", "old.csv")));
    }
}
