package io.stepwise.flink;

import io.stepwise.runtime.Logits;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.SessionState;

import java.util.Arrays;
import java.util.Locale;

/**
 * What an event means to one model in one {@link OutputMode}, free of Flink: whether it can be stepped (and why not),
 * the model input it becomes, and the output and new {@link KeyState} after the step. The operator owns one.
 */
final class EventRules {
    private final ModelInfo info;
    private final OutputMode mode;
    private final double[] mean;
    private final double[] std;
    private final double alpha;
    private final int warmup;

    /**
     * @throws IllegalArgumentException when the mode does not fit the model (e.g. a forecast from a token model)
     */
    EventRules(ModelInfo info, OutputMode mode, int errorWindow, int warmup, String modelName) {
        this.info = info;
        this.mode = mode;
        this.alpha = 2.0 / (errorWindow + 1);
        this.warmup = warmup;
        if (mode == OutputMode.NEXT_TOKEN_PROBABILITIES) {
            if (!info.isTokenInput()) {
                throw new IllegalArgumentException("mode: " + mode + " needs a model that reads tokens, but "
                        + modelName + " reads " + info.inputSize() + " features per step; use FORECAST or"
                        + " ANOMALY_SCORE");
            }
            mean = std = null;
            return;
        }
        if (info.isTokenInput() || !info.isPerStep() || info.outputSize() != info.inputSize()) {
            throw new IllegalArgumentException("mode: " + mode + " needs a forecaster (feature input, a per-step"
                    + " head predicting its own " + info.inputSize() + " features), but " + modelName + " has "
                    + info.inputKind() + " input, a " + info.head() + " head and " + info.outputSize()
                    + " outputs" + (info.isTokenInput() ? "; use NEXT_TOKEN_PROBABILITIES" : ""));
        }
        if (!info.series().isEmpty()) {
            // A global forecaster scales every series its own way (stepwise.series); one scaling for all keys
            // would be silently wrong.
            throw new IllegalArgumentException("mode: " + mode + " needs a forecaster of one series, but "
                    + modelName + " is a global forecaster over " + ((java.util.List<?>) info.series().get("keys"))
                    .size() + " series with a scaling per series, which this operator does not pick yet");
        }
        int f = info.inputSize();
        double[] m = new double[f];
        double[] s = new double[f];
        Arrays.fill(s, 1.0);
        if (info.scaling().isPresent()) {
            m = info.scaling().get().mean();
            s = info.scaling().get().std();
        }
        if (m.length != f || s.length != f) {
            throw new IllegalArgumentException("model " + modelName + ": its scaling has " + m.length + " means and "
                    + s.length + " deviations for " + f + " features");
        }
        mean = m;
        std = s;
    }

    /** Whether the model reads tokens. */
    boolean tokens() {
        return info.isTokenInput();
    }

    /** Why {@code e} cannot be stepped, or {@code null} when it can. Needs no state. */
    RejectedEvent check(StepEvent e) {
        if (info.isTokenInput()) {
            if (!e.isToken()) {
                return new RejectedEvent(e, RejectReason.WRONG_INPUT_KIND, "values: the model reads tokens, but the"
                        + " event carries " + e.valuesArray().length + " observation values and no token");
            }
            if (e.token() < 0 || e.token() >= info.inputSize()) {
                return new RejectedEvent(e, RejectReason.TOKEN_OUT_OF_RANGE, "token: expected an id in [0, "
                        + info.inputSize() + ") but got " + e.token());
            }
            return null;
        }
        double[] v = e.valuesArray();
        if (e.token() != StepEvent.NO_TOKEN || v.length == 0) {
            return new RejectedEvent(e, RejectReason.WRONG_INPUT_KIND, "token: the model reads " + info.inputSize()
                    + " observation values per step, but the event carries token " + e.token());
        }
        if (v.length != info.inputSize()) {
            return new RejectedEvent(e, RejectReason.WRONG_WIDTH, "values: expected " + info.inputSize()
                    + " values " + info.featureNames() + " but got " + v.length);
        }
        for (int f = 0; f < v.length; f++) {
            if (!Double.isFinite(v[f])) {
                return new RejectedEvent(e, RejectReason.NOT_FINITE, "values[" + f + "]"
                        + (f < info.featureNames().size() ? " (" + info.featureNames().get(f) + ")" : "")
                        + ": expected a finite number but got " + v[f]);
            }
        }
        return null;
    }

    /** Why {@code e} cannot follow the key's last event under {@code policy}, or {@code null}. */
    RejectedEvent checkOrder(StepEvent e, KeyState state, TimePolicy policy) {
        if (policy != TimePolicy.ARRIVAL_ORDER && state.lastTimestamp() != Long.MIN_VALUE
                && e.timestamp() <= state.lastTimestamp()) {
            return new RejectedEvent(e, RejectReason.OUT_OF_ORDER, "timestamp: expected after " + state.lastTimestamp()
                    + ", the key's last stepped event, but got " + e.timestamp()
                    + (e.timestamp() == state.lastTimestamp() ? " (a duplicate time)" : ""));
        }
        return null;
    }

    /** The model input of a checked observation: (x − mean) / std. */
    float[] features(StepEvent e) {
        double[] v = e.valuesArray();
        float[] out = new float[v.length];
        for (int f = 0; f < v.length; f++) {
            out[f] = (float) ((v[f] - mean[f]) / std[f]);
        }
        return out;
    }

    /** An output and the key's state after stepping {@code e}. */
    record Applied(StepOutput output, KeyState state) {
    }

    /** The output for {@code e} given the model's {@code output}, and the key's new state. */
    Applied apply(KeyState before, StepEvent e, float[] output, SessionState after) {
        switch (mode) {
            case NEXT_TOKEN_PROBABILITIES -> {
                return new Applied(new StepOutput(e.key(), e.timestamp(), after.position(), Logits.softmax(output),
                        new double[0], Double.NaN),
                        new KeyState(after, e.timestamp(), before.lastOutput(), 0, before.meanSquaredError()));
            }
            case FORECAST -> {
                return new Applied(new StepOutput(e.key(), e.timestamp(), after.position(), unscale(output),
                        new double[0], Double.NaN),
                        new KeyState(after, e.timestamp(), before.lastOutput(), 0, before.meanSquaredError()));
            }
            default -> {
                return anomaly(before, e, output, after);
            }
        }
    }

    private Applied anomaly(KeyState before, StepEvent e, float[] output, SessionState after) {
        double[] next = unscale(output);
        if (before.lastOutput().length == 0) {
            return new Applied(new StepOutput(e.key(), e.timestamp(), after.position(), next, new double[0],
                    Double.NaN), new KeyState(after, e.timestamp(), output, 0, new double[0]));
        }
        double[] expected = unscale(before.lastOutput());
        double[] observed = e.valuesArray();
        double[] mse = before.errors() == 0 ? new double[expected.length] : before.meanSquaredError().clone();
        double score = before.errors() >= warmup ? 0 : Double.NaN;
        for (int f = 0; f < expected.length; f++) {
            double err = observed[f] - expected[f];
            if (before.errors() >= warmup) {
                double unit = Math.sqrt(mse[f]);
                double s = unit > 0 ? Math.abs(err) / unit : (err == 0 ? 0 : Double.POSITIVE_INFINITY);
                score = Math.max(score, s);
            }
            // The first error is the whole estimate; later ones move it by alpha, so old errors fade.
            mse[f] = before.errors() == 0 ? err * err : mse[f] + alpha * (err * err - mse[f]);
        }
        return new Applied(new StepOutput(e.key(), e.timestamp(), after.position(), next, expected, score),
                new KeyState(after, e.timestamp(), output, before.errors() + 1, mse));
    }

    /** A model output row in the series' units: v · std + mean. */
    double[] unscale(float[] output) {
        if (output.length != mean.length) {
            throw new IllegalStateException("model output: expected " + mean.length + " values but got "
                    + output.length);
        }
        double[] out = new double[output.length];
        for (int f = 0; f < output.length; f++) {
            if (!Float.isFinite(output[f])) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "model output: value %d is %s; the model produced a non-finite prediction", f, output[f]));
            }
            out[f] = output[f] * std[f] + mean[f];
        }
        return out;
    }
}
