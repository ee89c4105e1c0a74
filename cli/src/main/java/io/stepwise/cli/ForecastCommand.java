package io.stepwise.cli;

import io.stepwise.runtime.ModelFormat;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.Forecaster;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stepwise forecast}: multi-step forecast after the end of a CSV series. */
@Command(name = "forecast", mixinStandardHelpOptions = true,
        description = {"Forecast the steps after the end of a CSV series with a forecaster model (missing values in "
                + "the history are interpolated; scaling comes from the model)."})
public final class ForecastCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A forecaster .onnx file.")
    Path model;
    @Option(names = "--data", description = "CSV with the model's feature columns (default: the model's own data).")
    Path data;
    @Option(names = "--horizon", description = "Steps to forecast (default: the model's horizon).")
    Integer horizon;
    @Option(names = "--context", description = "Rows of history the model reads (default: the model's window).")
    Integer context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command; exceptions are reported by {@link CliRunner}. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (RecurrentModel loaded = RecurrentModel.load(model)) {
            ModelInfo info = loaded.info();
            Forecaster forecaster = new Forecaster(loaded);
            Path file = data != null ? data : recordedData(info);
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("--data: no such file: " + file);
            }
            SeriesCsvReader.Table series = SeriesCsvReader.reader()
                    .optValueColumns(forecaster.featureNames().toArray(String[]::new)).readFile(file);
            int steps = horizon != null ? horizon : forecaster.defaultHorizon().orElseThrow(() ->
                    new IllegalArgumentException("--horizon: required; the model records no horizon"));
            if (steps < 1) {
                throw new IllegalArgumentException("--horizon: expected ≥ 1 but got " + steps);
            }
            Object window = info.forecast().get("window");
            int rows = context != null ? context : window instanceof Number n ? n.intValue() : series.length();
            if (rows < 1) {
                throw new IllegalArgumentException("--context: expected ≥ 1 but got " + rows);
            }
            rows = Math.min(rows, series.length());
            double[][] values = series.values();
            double[][] history = Arrays.copyOfRange(values, values.length - rows, values.length);
            Forecast forecast = forecaster.forecast(history, steps);
            String last = series.timeStamps().isEmpty() ? "row " + series.length()
                    : series.timeStamps().get(series.length() - 1);
            out.printf(Locale.ROOT, "%s: %d steps after %s, from the last %d rows of %s (%d missing values "
                    + "interpolated)%n", model.getFileName(), steps, last, rows, file, forecast.filledValues());
            out.printf(Locale.ROOT, "%-6s %s%n", "step", String.join(" ", forecaster.featureNames()));
            for (int h = 0; h < steps; h++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "+%-5d", h + 1));
                for (int f = 0; f < forecaster.featureCount(); f++) {
                    line.append(String.format(Locale.ROOT, " %.4f", forecast.values()[h][f]));
                }
                out.println(line);
            }
            return 0;
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
