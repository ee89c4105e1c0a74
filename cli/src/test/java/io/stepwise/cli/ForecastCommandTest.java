package io.stepwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stepwise forecast} on a dated model: dates, intervals, CSV and JSON, checks of the history. */
class ForecastCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run run(Object... args) {
        List<String> list = new ArrayList<>();
        for (Object a : args) {
            list.add(a.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RunCli.execute(list.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Path monthly(String name, String... stamps) throws Exception {
        StringBuilder sb = new StringBuilder("month,sales\n");
        for (int i = 0; i < stamps.length; i++) {
            sb.append(stamps[i]).append(',').append(100 + i).append('\n');
        }
        Path csv = dir.resolve(name);
        Files.writeString(csv, sb.toString());
        return csv;
    }

    @Test
    void printsDatedStepsWithIntervals() throws Exception {
        Path csv = monthly("s.csv", "2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12");
        Path model = CliModels.datedForecaster(dir, csv.toString());
        Run table = run("forecast", model);
        assertEquals(0, table.code(), table.out() + table.err());
        assertTrue(table.out().contains("3 steps after 2023-12"), table.out());
        List<String> lines = table.out().lines().toList();
        assertTrue(lines.get(1).matches("date\\s+sales\\s+sales_lo80\\s+sales_hi80\\s+sales_lo95\\s+sales_hi95"),
                lines.get(1));
        assertTrue(lines.get(2).startsWith("2024-01 ") && lines.get(4).startsWith("2024-03 "), table.out());
        String[] first = lines.get(2).trim().split("\\s+");
        double value = Double.parseDouble(first[1]);
        assertEquals(value - 5, Double.parseDouble(first[2]), 1e-3);   // 0.5 × std 10
        assertEquals(value + 10, Double.parseDouble(first[5]), 1e-3);  // 1 × std 10

        Run csvRun = run("forecast", model, "--format", "csv");
        assertEquals(0, csvRun.code(), csvRun.err());
        List<String> rows = csvRun.out().lines().toList();
        assertEquals("date,sales,sales_lo80,sales_hi80,sales_lo95,sales_hi95", rows.get(0));
        assertEquals(4, rows.size());
        assertTrue(rows.get(3).startsWith("2024-03,"), rows.get(3));

        Path json = dir.resolve("out/forecast.json");
        Run jsonRun = run("forecast", model, "--format", "json", "--output", json);
        assertEquals(0, jsonRun.code(), jsonRun.err());
        assertTrue(jsonRun.out().isEmpty());
        String text = Files.readString(json);
        assertTrue(text.startsWith("{\"model\":\"dated.onnx\",\"last_observation\":\"2023-12\",\"frequency\":"
                + "\"monthly\""), text);
        assertTrue(text.contains("{\"step\":1,\"date\":\"2024-01\",\"values\":{\"sales\":{\"forecast\":"), text);
        assertTrue(text.contains("\"lower_95\":"), text);
    }

    @Test
    void checksTheHistorysTimeStampsAndLength() throws Exception {
        Path newest = monthly("newest.csv", "2023-12", "2023-11", "2023-10", "2023-09", "2023-08", "2023-07");
        Path model = CliModels.datedForecaster(dir, newest.toString());
        Run sorted = run("forecast", model);
        assertEquals(0, sorted.code(), sorted.err());
        assertTrue(sorted.out().contains("newest first: reversed") && sorted.out().contains("after 2023-12"),
                sorted.out());

        Path gappy = monthly("gappy.csv", "2023-05", "2023-06", "2023-09", "2023-10", "2023-11", "2023-12");
        Run gaps = run("forecast", model, "--data", gappy);
        assertEquals(0, gaps.code(), gaps.err());
        assertTrue(gaps.out().contains("2 missing rows inserted and interpolated (2023-07, 2023-08)"), gaps.out());
        assertTrue(gaps.out().contains("2 missing values interpolated"), gaps.out());

        Path dup = monthly("dup.csv", "2023-07", "2023-08", "2023-08", "2023-09", "2023-10", "2023-11");
        Run duplicate = run("forecast", model, "--data", dup);
        assertEquals(CliRunner.BAD_INPUT, duplicate.code());
        assertTrue(duplicate.err().contains("('2023-08') fall in the same month"), duplicate.err());

        Path yearly = dir.resolve("yearly.csv");
        Files.writeString(yearly, "year,sales\n2001,1\n2002,2\n2003,3\n2004,4\n2005,5\n2006,6\n");
        Run wrongFrequency = run("forecast", model, "--data", yearly);
        assertEquals(CliRunner.BAD_INPUT, wrongFrequency.code());
        assertTrue(wrongFrequency.err().contains("the rows are yearly but the model was trained on monthly data"),
                wrongFrequency.err());

        Path shortCsv = monthly("short.csv", "2023-10", "2023-11", "2023-12");
        Run refused = run("forecast", model, "--data", shortCsv);
        assertEquals(CliRunner.BAD_INPUT, refused.code());
        assertTrue(refused.err().contains("has 3 rows but the model was trained to forecast after reading 6"),
                refused.err());
        assertTrue(refused.err().contains("--allow-short-history"), refused.err());
        Run allowed = run("forecast", model, "--data", shortCsv, "--allow-short-history");
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.err().contains("warning: forecasting from 3 rows"), allowed.err());
        assertFalse(allowed.out().isEmpty());

        Run badTime = run("forecast", model, "--time", "when");
        assertEquals(CliRunner.BAD_INPUT, badTime.code());
        assertTrue(badTime.err().contains("--time: no column 'when'") && badTime.err().contains("[month, sales]"),
                badTime.err());
    }

    @Test
    void aGlobalModelForecastsEverySeriesOfALongFileWithItsOwnScaling() throws Exception {
        StringBuilder sb = new StringBuilder("month,store,sales\n");
        String[] months = {"2023-07", "2023-08", "2023-09", "2023-10", "2023-11"};
        for (int i = 0; i < months.length; i++) {
            sb.append(months[i]).append(",b,").append(1000 + 10 * i).append('\n');
            if (i > 0) { // store a ends a month later than it starts: its own time index
                sb.append(months[i]).append(",a,").append(100 + i).append('\n');
            }
        }
        sb.append("2023-12,a,105\n");
        Path csv = dir.resolve("stores.csv");
        Files.writeString(csv, sb.toString());
        Path model = CliModels.globalForecaster(dir);
        Run out = run("forecast", model, "--data", csv, "--format", "csv");
        assertEquals(0, out.code(), out.out() + out.err());
        List<String> lines = out.out().lines().toList();
        assertEquals("store,date,sales,sales_lo80,sales_hi80", lines.get(0));
        assertEquals(7, lines.size(), out.out());
        assertTrue(lines.get(1).startsWith("b,2023-12,") && lines.get(4).startsWith("a,2024-01,"), out.out());
        double b = Double.parseDouble(lines.get(1).split(",")[2]);
        double a = Double.parseDouble(lines.get(4).split(",")[2]);
        assertTrue(b > 500 && a < 500, "each series in its own units: " + out.out());
        assertEquals(b * 0.9, Double.parseDouble(lines.get(1).split(",")[3]), 1e-3);
        assertTrue(out.err().contains("(store a)") && out.err().contains("(store b)"), out.err());

        Run json = run("forecast", model, "--data", csv, "--format", "json", "--key", "a");
        assertEquals(0, json.code(), json.out() + json.err());
        assertTrue(json.out().startsWith("{\"model\":\"global.onnx\",\"series_column\":\"store\",\"series\":"
                + "[{\"series\":\"a\",\"last_observation\":\"2023-12\""), json.out());
        assertFalse(json.out().contains("\"series\":\"b\""), json.out());

        Run unknown = run("forecast", model, "--data", csv, "--key", "c");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("--key: no series 'c' in column 'store'"), unknown.err());
        Path other = dir.resolve("other.csv");
        Files.writeString(other, sb.toString().replace("a,", "x,").replace("store", "shop"));
        Run untrained = run("forecast", model, "--data", other, "--series", "shop");
        assertEquals(2, untrained.code(), untrained.err());
        assertTrue(untrained.err().contains("not trained on store 'x'"), untrained.err());
        Run noColumn = run("forecast", model, "--data", other);
        assertTrue(noColumn.err().contains("no series column 'store'"), noColumn.err());
    }

    @Test
    void aModelWithCovariatesKnownInAdvanceTakesThemFromFuture() throws Exception {
        Path model = CliModels.knownFutureForecaster(dir);
        Path csv = dir.resolve("promo.csv");
        Files.writeString(csv, "month,sales,promo\n2023-10,100,0\n2023-11,130,1\n2023-12,101,0\n");
        Run missing = run("forecast", model, "--data", csv);
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("--future: required; the model was trained with the future values of "
                + "[promo] known in advance"), missing.err());
        Path next = dir.resolve("next.csv");
        Files.writeString(next, "month,promo\n2024-01,1\n2024-02,0\n");
        Run out = run("forecast", model, "--data", csv, "--future", next, "--format", "csv");
        assertEquals(0, out.code(), out.out() + out.err());
        List<String> lines = out.out().lines().toList();
        assertEquals(3, lines.size(), out.out());
        assertTrue(lines.get(1).startsWith("2024-01,") && lines.get(1).endsWith(",1.0000"), out.out());
        assertTrue(lines.get(2).startsWith("2024-02,") && lines.get(2).endsWith(",0.0000"), out.out());
        Run longer = run("forecast", model, "--data", csv, "--future", next, "--horizon", "3");
        assertTrue(longer.err().contains("has 2 row(s) but 3 steps were asked for"), longer.err());
        Files.writeString(next, "month,promo\n2024-01,1\n2024-02,\n");
        Run gap = run("forecast", model, "--data", csv, "--future", next);
        assertTrue(gap.err().contains("--future: " + next + ": step 2, 'promo' is NaN"), gap.err());
    }
}
