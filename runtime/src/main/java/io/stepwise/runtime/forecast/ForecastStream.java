package io.stepwise.runtime.forecast;

import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionState;
import java.util.Objects;

/**
 * A live forecast over one series: observations are pushed one step at a time and the model state is carried
 * between them, so each push costs one model step however long the series gets. {@link #forecast(int)} looks
 * ahead from a snapshot of the state and puts it back, so asking for forecasts never disturbs the stream.
 *
 * <p>Missing values: a NaN in a pushed observation is replaced by the model's own prediction of that value
 * (the forecast made one step earlier), since a live stream cannot interpolate towards values it has not seen
 * yet. The first observation must be complete. Infinite values are refused.
 *
 * <p>Open with {@link Forecaster#openStream()}; not thread-safe (one stream per series, one thread at a time);
 * holds a native session until {@link #close()}.
 */
public final class ForecastStream implements AutoCloseable {
    private final Forecaster forecaster;
    private final Session session;
    private float[] nextPrediction;
    private int observations;
    private int filledValues;
    private boolean closed;

    ForecastStream(Forecaster forecaster, Session session) {
        this.forecaster = forecaster;
        this.session = session;
    }

    /**
     * Pushes the next observation, in the series' own units.
     *
     * @param observation one value per feature; NaN = missing (see class doc)
     * @throws IllegalArgumentException for a wrong width, an infinite value, or a missing value in the first
     *                                  observation
     */
    public void push(double... observation) {
        checkClosed();
        Objects.requireNonNull(observation, "observation");
        double[] row = forecaster.checkRow(observation, "observation " + observations);
        int filled = 0;
        for (int f = 0; f < row.length; f++) {
            if (Double.isNaN(row[f])) {
                if (nextPrediction == null) {
                    throw new IllegalArgumentException("observation 0: value of feature '"
                            + forecaster.featureNames().get(f) + "' is missing (NaN); the first observation must be"
                            + " complete because there is no prediction to fill it with yet");
                }
                filled++;
            }
        }
        if (filled > 0) {
            double[] predicted = forecaster.unscale(nextPrediction);
            for (int f = 0; f < row.length; f++) {
                if (Double.isNaN(row[f])) {
                    row[f] = predicted[f];
                }
            }
        }
        float[] output = session.step(forecaster.scale(row));
        forecaster.unscale(output); // checks width and finiteness now rather than at the next forecast
        nextPrediction = output;
        observations++;
        filledValues += filled;
    }

    /** Pushes several observations, oldest first; same rules as {@link #push(double...)}. */
    public void pushAll(double[][] rows) {
        Objects.requireNonNull(rows, "rows");
        for (double[] row : rows) {
            push(row);
        }
    }

    /**
     * Forecasts the next {@code horizon} steps after the observations pushed so far. The stream's state is the
     * same afterwards.
     *
     * @throws IllegalStateException    before the first observation
     * @throws IllegalArgumentException for a horizon below 1 or above the model's {@code RunLimits.maxHorizon()}
     */
    public Forecast forecast(int horizon) {
        if (!forecaster.known().isEmpty()) {
            throw new IllegalArgumentException("horizon: the model was trained with the future values of "
                    + forecaster.known().names() + " known in advance; pass them with forecast(knownFuture)");
        }
        return forecast(horizon, null);
    }

    /**
     * Forecasts one step per row of {@code knownFuture} for a model with covariates known in advance (see
     * {@link Forecaster#forecast(double[][], double[][])}). The stream's state is the same afterwards.
     */
    public Forecast forecast(double[][] knownFuture) {
        if (forecaster.known().isEmpty()) {
            throw new IllegalArgumentException("knownFuture: the model has no covariates known in advance; forecast "
                    + "with forecast(horizon)");
        }
        double[][] future = forecaster.known().check(knownFuture);
        return forecast(future.length, future);
    }

    private Forecast forecast(int horizon, double[][] future) {
        checkClosed();
        forecaster.checkHorizon(horizon);
        if (nextPrediction == null) {
            throw new IllegalStateException("forecast: no observation has been pushed yet");
        }
        if (observations < forecaster.minimumHistory()) {
            throw new IllegalStateException("forecast: " + observations + " observation(s) pushed but the model was"
                    + " trained to forecast after reading " + forecaster.minimumHistory() + " (its window); push "
                    + (forecaster.minimumHistory() - observations) + " more, or open the stream from "
                    + "withMinimumHistory(" + observations + ") to accept a less reliable forecast");
        }
        double[][] values = new double[horizon][];
        values[0] = forecaster.unscale(nextPrediction);
        if (future != null) {
            forecaster.known().report(values[0], future[0]);
        }
        if (horizon > 1) {
            SessionState carried = session.snapshot();
            try {
                float[] next = nextPrediction;
                for (int h = 1; h < horizon; h++) {
                    if (future != null) {
                        next = forecaster.withKnown(next, future[h - 1]);
                    }
                    next = session.step(next);
                    values[h] = forecaster.unscale(next);
                    if (future != null) {
                        forecaster.known().report(values[h], future[h]);
                    }
                }
            } finally {
                session.restore(carried);
            }
        }
        return forecaster.result(values, observations, filledValues);
    }

    /** Observations pushed since opening or the last {@link #reset()}. */
    public int observations() {
        return observations;
    }

    /** Missing values filled with the model's predictions so far. */
    public int filledValues() {
        return filledValues;
    }

    /** Forgets every observation: back to the zero state of a new stream. */
    public void reset() {
        checkClosed();
        session.reset();
        nextPrediction = null;
        observations = 0;
        filledValues = 0;
    }

    /** Releases the session; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.close();
        }
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("ForecastStream is closed");
        }
    }
}
