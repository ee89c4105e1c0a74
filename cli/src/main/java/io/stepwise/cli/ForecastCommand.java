package io.stepwise.cli;

import io.stepwise.runtime.ModelFormat;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.forecast.Frequency;
import io.stepwise.runtime.forecast.TimeStampFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stepwise forecast}: multi-step forecast after the end of a CSV series, dated and with the model's
 * prediction intervals, as a table, CSV or JSON.
 *
 * <p>The history's time stamps go through the same checks as training's ({@link TimeIndex}: sorted, duplicates
 * refused, gaps inserted as missing values and interpolated, frequency detected and checked against the model's),
 * and the forecast steps are dated one period apart after the last time stamp, in its format. A history shorter
 * than the model's window is refused with the number of rows needed ({@code --allow-short-history} forecasts
 * anyway, with a warning).
 *
 * <p>A global model (trained over several series of one file) forecasts every series of the history file, each with
 * its own scaling: the file is in long format with the model's series-id column ({@code --series} names another),
 * {@code --key} picks some series; CSV and JSON then carry the series key with every row.
 */
@Command(name = "forecast", mixinStandardHelpOptions = true,
        description = {"Forecast the steps after the end of a CSV series with a forecaster model: dated steps, "
                + "prediction intervals, as a table, CSV or JSON. Missing values and gaps in the history are "
                + "interpolated; scaling comes from the model."})
public final class ForecastCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { TABLE, CSV, JSON }

    @Parameters(index = "0", paramLabel = "MODEL", description = "A forecaster .onnx file.")
    Path model;
    @Option(names = "--data", description = "CSV with the model's feature columns (default: the model's own data).")
    Path data;
    @Option(names = "--horizon", description = "Steps to forecast (default: the model's horizon).")
    Integer horizon;
    @Option(names = "--context", description = "Rows of history the model reads (default: the model's window).")
    Integer context;
    @Option(names = "--time", description = "The time-stamp column (default: the first column when it holds dates).")
    String time;
    @Option(names = "--format", description = "table (default), csv or json.", defaultValue = "TABLE")
    Format format;
    @Option(names = "--output", description = "Write the forecast to this file (atomically) instead of standard "
            + "output.")
    Path output;
    @Option(names = "--series", description = "The series-id column of a file of several series, for a global "
            + "model (default: the column the model was trained with).")
    String series;
    @Option(names = "--key", description = "Forecast only this series of a global model (repeatable; default: "
            + "every series in the file).")
    List<String> keys = new ArrayList<>();
    @Option(names = "--future", description = "CSV of the future values of the covariates the model takes as known "
            + "in advance, one row per step after the history (with the series column for a global model); the "
            + "horizon is its number of rows unless --horizon is given.")
    Path future;
    @Option(names = "--allow-short-history", description = "Forecast from fewer rows than the model's window, with a "
            + "warning (the forecast is less reliable than the model's metrics say).")
    boolean allowShortHistory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command; exceptions are reported by {@link CliRunner}. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (RecurrentModel loaded = RecurrentModel.load(model)) {
            ModelInfo info = loaded.info();
            Forecaster forecaster = new Forecaster(loaded);
            Path file = data != null ? data : recordedData(info);
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("--data: no such file: " + file);
            }
            SeriesCsvReader reader = SeriesCsvReader.reader()
                    .optValueColumns(forecaster.featureNames().toArray(String[]::new));
            List<String> header = SeriesCsvReader.header(file);
            if (time != null) {
                if (!header.contains(time)) {
                    throw new IllegalArgumentException("--time: no column '" + time + "' in " + file
                            + "; its columns are " + header);
                }
                reader.optTimeColumn(time);
            }
            String seriesColumn = series != null ? series : forecaster.seriesColumn().orElse(null);
            if (series != null && forecaster.seriesKeys().isEmpty()) {
                throw new IllegalArgumentException("--series: the model was trained on a single series, so it "
                        + "forecasts one series at a time; give a file of one series (without --series)");
            }
            if (!keys.isEmpty() && seriesColumn == null) {
                throw new IllegalArgumentException("--key: the model was trained on a single series, so it has no "
                        + "series keys");
            }
            if (seriesColumn != null) {
                if (!header.contains(seriesColumn)) {
                    throw new IllegalArgumentException((series != null ? "--series" : "--data") + ": no series "
                            + "column '" + seriesColumn + "' in " + file + "; its columns are " + header
                            + (series != null ? "" : " (the model's series are in a column of that name; name "
                            + "another with --series)"));
                }
                reader.optSeriesColumn(seriesColumn);
            }
            SeriesCsvReader.Table table = reader.readFile(file);
            int steps = horizon != null ? horizon : forecaster.defaultHorizon().orElseThrow(() ->
                    new IllegalArgumentException("--horizon: required; the model records no horizon"));
            if (steps < 1) {
                throw new IllegalArgumentException("--horizon: expected ≥ 1 but got " + steps);
            }
            Map<String, double[][]> known = knownFuture(forecaster, seriesColumn);
            if (!known.isEmpty() && horizon == null) {
                steps = known.values().iterator().next().length;
            }
            List<Result> results = new ArrayList<>();
            if (seriesColumn == null) {
                results.add(forecastOne(forecaster, table, file, steps, known.get(""), err));
            } else {
                Map<String, SeriesCsvReader.Table> parts = table.bySeries();
                for (String key : keys) {
                    if (!parts.containsKey(key)) {
                        throw new IllegalArgumentException("--key: no series '" + key + "' in column '"
                                + seriesColumn + "' of " + file);
                    }
                }
                for (Map.Entry<String, SeriesCsvReader.Table> part : parts.entrySet()) {
                    if (keys.isEmpty() || keys.contains(part.getKey())) {
                        results.add(forecastOne(forecaster.forSeries(part.getKey()), part.getValue(), file, steps,
                                known.isEmpty() ? null : knownOf(known, part.getKey(), seriesColumn), err));
                    }
                }
            }
            String summary = results.stream().map(Result::summary).collect(Collectors.joining(
                    System.lineSeparator()));
            String text = switch (format) {
                case TABLE -> seriesColumn == null ? summary + System.lineSeparator()
                        + ForecastOutput.table(results.get(0).forecast())
                        : results.stream().map(r -> r.summary() + System.lineSeparator()
                                + ForecastOutput.table(r.forecast())).collect(Collectors.joining(
                                        System.lineSeparator()));
                case CSV -> ForecastOutput.csv(results.stream().map(Result::forecast).toList(), seriesColumn);
                case JSON -> seriesColumn == null ? ForecastOutput.json(results.get(0).forecast(),
                        model.getFileName().toString(), results.get(0).last(), results.get(0).frequency())
                        : ForecastOutput.json(results.stream().map(r -> new ForecastOutput.Dated(r.forecast(),
                                r.last(), r.frequency())).toList(), model.getFileName().toString(), seriesColumn);
            };
            if (output != null) {
                write(output, text);
                err.println(summary);
                err.println("wrote " + output);
            } else {
                if (format != Format.TABLE) {
                    err.println(summary);
                }
                out.print(text);
                out.flush();
            }
            return 0;
        }
    }

    /** One series' forecast with what the summary line says about it. */
    private record Result(Forecast forecast, String last, String frequency, String summary) {
    }

    /** Checks one series' history as training did, takes its last rows and forecasts {@code steps} after them. */
    private Result forecastOne(Forecaster forecaster, SeriesCsvReader.Table series, Path file, int steps,
                               double[][] knownFuture, PrintWriter err) {
        String column = forecaster.seriesColumn().orElse("");
        String where = forecaster.seriesKey().map(k -> file + " (" + column + " " + k + ")").orElse(file.toString());
        double[][] values = series.values();
        String last = series.timeStamps().isEmpty() ? null : series.timeStamps().get(series.length() - 1);
        Optional<Frequency> frequency = forecaster.frequency();
        String checks = "";
        if (series.timeColumn().isPresent()) {
            TimeIndex.Regular regular = TimeIndex.regularize(where, series.timeColumn().get(),
                    series.timeStamps(), values, forecaster.frequency());
            values = regular.values();
            last = regular.last();
            frequency = Optional.of(regular.report().frequency());
            checks = "; rows " + regular.report().describe();
        }
        int rows = context != null ? context : forecaster.minimumHistory() > 1 ? forecaster.minimumHistory()
                : values.length;
        if (rows < 1) {
            throw new IllegalArgumentException("--context: expected ≥ 1 but got " + rows);
        }
        rows = Math.min(rows, values.length);
        if (rows < forecaster.minimumHistory()) {
            if (!allowShortHistory) {
                throw new IllegalArgumentException((context != null && context < forecaster.minimumHistory()
                        ? "--context: " + context : "--data: " + where + " has " + values.length + " rows")
                        + " but the model was trained to forecast after reading " + forecaster.minimumHistory()
                        + " (its window); give at least " + forecaster.minimumHistory() + " rows, or pass "
                        + "--allow-short-history to forecast anyway");
            }
            err.printf(Locale.ROOT, "warning: %sforecasting from %d rows; the model was trained to read %d, so "
                    + "this forecast is less reliable than its metrics say%n", forecaster.seriesKey().isPresent()
                    ? where + ": " : "", rows,
                    forecaster.minimumHistory());
            forecaster = forecaster.withMinimumHistory(rows);
        }
        double[][] history = Arrays.copyOfRange(values, values.length - rows, values.length);
        Forecast forecast;
        if (knownFuture == null) {
            forecast = forecaster.forecast(history, steps);
        } else {
            if (knownFuture.length < steps) {
                throw new IllegalArgumentException("--future: " + future + " has " + knownFuture.length + " row(s)"
                        + forecaster.seriesKey().map(k -> " for " + k).orElse("") + " but " + steps
                        + " steps were asked for");
            }
            try {
                forecast = forecaster.forecast(history, Arrays.copyOf(knownFuture, steps));
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith("knownFuture:") ? new IllegalArgumentException("--future: " + future
                        + ": " + e.getMessage().substring("knownFuture: ".length()), e) : e;
            }
        }
        if (last != null && frequency.isPresent() && TimeStampFormat.of(last).isPresent()) {
            forecast = forecast.withDates(TimeStampFormat.after(last, frequency.get(), steps));
        }
        String summary = String.format(Locale.ROOT, "%s: %d steps after %s, from the last %d rows of %s (%d "
                + "missing values interpolated%s)", model.getFileName(), steps, last != null ? last
                : "row " + series.length(), rows, where, forecast.filledValues(), checks);
        return new Result(forecast, last, frequency.map(Frequency::wireName).orElse(null), summary);
    }

    /**
     * The rows of {@code --future} per series key ({@code ""} for a single-series model), or empty when the model
     * takes no covariates known in advance.
     */
    private Map<String, double[][]> knownFuture(Forecaster forecaster, String seriesColumn) {
        List<String> names = forecaster.knownFeatures();
        if (names.isEmpty()) {
            if (future != null) {
                throw new IllegalArgumentException("--future: the model takes no covariates known in advance");
            }
            return Map.of();
        }
        if (future == null) {
            throw new IllegalArgumentException("--future: required; the model was trained with the future values of "
                    + names + " known in advance: give them, one row per step after the history");
        }
        if (!Files.exists(future)) {
            throw new IllegalArgumentException("--future: no such file: " + future);
        }
        SeriesCsvReader reader = SeriesCsvReader.reader().optValueColumns(names.toArray(String[]::new));
        if (seriesColumn != null) {
            reader.optSeriesColumn(seriesColumn);
        }
        Map<String, double[][]> rows = new java.util.LinkedHashMap<>();
        reader.readFile(future).bySeries().forEach((key, table) -> rows.put(key, table.values()));
        return rows;
    }

    private double[][] knownOf(Map<String, double[][]> known, String key, String seriesColumn) {
        double[][] rows = known.get(key);
        if (rows == null) {
            throw new IllegalArgumentException("--future: " + future + " has no rows for " + seriesColumn + " '" + key
                    + "'");
        }
        return rows;
    }

    private static void write(Path file, String text) {
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getParent();
        try {
            if (folder != null) {
                Files.createDirectories(folder);
            }
            Path temp = Files.createTempFile(folder, "." + absolute.getFileName(), ".tmp");
            try {
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--output: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The data file named by the model's evaluation protocol ({@link ModelFormat#EVALUATION}), found as shipped. */
    private Path recordedData(ModelInfo info) {
        Object path = info.metadataObject(ModelFormat.EVALUATION).map(protocol -> protocol.get("data")).orElse(null);
        if (path instanceof String s) {
            return StepwiseHome.resolve(Path.of(s));
        }
        throw new IllegalArgumentException("--data: required; the model records no data file");
    }
}
