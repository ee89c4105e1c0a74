package io.stepwise.training.tasks.training;

import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.ConsoleProgress;
import io.stepwise.training.train.EpochRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The validation-based choice of a forecaster's settings, so that a user's first run is a good run: a fixed list of
 * candidates, each trained with the run's seed and epochs, compared on the best validation MASE they reach (the
 * monitor; the test tail is never looked at), and the winner trained once more as the model, with the search
 * recorded in its provenance ({@code training.search}).
 *
 * <p>The budget is a number of trials, not a time: the same data and options give the same choice on any machine.
 * Candidates, in order (a candidate that changes a setting given explicitly, or that equals an earlier one, is
 * skipped): the derived settings; scale headroom 1 (for series without a trend that leaves the training range); a
 * learning rate 0.3 × the default; half the window (at least the season); headroom 1 with the lower rate; half the
 * window with the lower rate. Each trial trains in its own folder under the run folder ({@code trial-N}).
 */
public final class ForecastSearch {
    /** Trials of a forecaster unless set: the derived settings and two alternatives. */
    public static final int DEFAULT_TRIALS = 3;
    /** Most trials accepted (the number of distinct candidates). */
    public static final int MAX_TRIALS = 6;

    private ForecastSearch() {
    }

    /**
     * One candidate of the search.
     *
     * @param learningRate  peak learning rate
     * @param window        input window
     * @param scaleHeadroom scaling headroom
     */
    public record Candidate(float learningRate, int window, double scaleHeadroom) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("learning_rate", Double.parseDouble(Float.toString(learningRate)));
            m.put("window", window);
            m.put("scale_headroom", scaleHeadroom);
            return m;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "lr %s, window %d, scale headroom %s", learningRate, window,
                    scaleHeadroom);
        }
    }

    /** The candidates the search tries for {@code options}, at most {@code options.trials()}. */
    public static List<Candidate> candidates(TrainingOptions options) {
        boolean lr = options.defaulted().contains(Setting.LEARNING_RATE);
        boolean window = options.defaulted().contains(Setting.WINDOW);
        boolean headroom = options.defaulted().contains(Setting.SCALE_HEADROOM);
        float baseLr = options.learningRate();
        float lowLr = Float.parseFloat(String.format(Locale.ROOT, "%.3g", baseLr * 0.3f));
        int halfWindow = Math.max(Math.max(2, options.season()), options.window() / 2);
        List<Candidate> all = new ArrayList<>();
        all.add(new Candidate(baseLr, options.window(), options.scaleHeadroom()));
        if (headroom) {
            all.add(new Candidate(baseLr, options.window(), 1.0));
        }
        if (lr) {
            all.add(new Candidate(lowLr, options.window(), options.scaleHeadroom()));
        }
        if (window) {
            all.add(new Candidate(baseLr, halfWindow, options.scaleHeadroom()));
        }
        if (headroom && lr) {
            all.add(new Candidate(lowLr, options.window(), 1.0));
        }
        if (window && lr) {
            all.add(new Candidate(lowLr, halfWindow, options.scaleHeadroom()));
        }
        List<Candidate> distinct = new ArrayList<>();
        for (Candidate c : all) {
            if (!distinct.contains(c) && distinct.size() < options.trials()) {
                distinct.add(c);
            }
        }
        return distinct;
    }

    /**
     * Runs the trials and returns the chosen candidate with the search's record.
     *
     * @param runDirectory the run's folder; trial N trains in {@code trial-N} below it
     */
    static Result search(TrainingOptions options, Path runDirectory, PrintStream out, ConsoleProgress.Mode mode)
            throws IOException {
        List<Candidate> candidates = candidates(options);
        out.printf(Locale.ROOT, "settings search: %d trial(s), %d epochs each, seed %d, chosen by the best "
                + "validation MASE%n", candidates.size(), options.epochs(), options.seed());
        List<Map<String, Object>> trials = new ArrayList<>();
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            Path folder = runDirectory.resolve("trial-" + (i + 1));
            out.printf(Locale.ROOT, "trial %d/%d: %s%n", i + 1, candidates.size(), c);
            TrainedModel trial = ModelTraining.trainOnce(options.withTrial(c.learningRate(), c.window(),
                    c.scaleHeadroom(), folder.resolve(options.modelName() + ".onnx"), folder), out, mode, null);
            double score = bestValidation(trial.history());
            Map<String, Object> record = c.toMap();
            record.put(ForecastTask.VAL_MASE, score);
            record.put("test_mase", trial.metrics().get("test_mase"));
            trials.add(record);
            out.printf(Locale.ROOT, "trial %d/%d: best %s %.4f%n", i + 1, candidates.size(), ForecastTask.VAL_MASE,
                    score);
            if (score < bestScore) {
                bestScore = score;
                best = i;
            }
        }
        if (best < 0) {
            best = 0;
        }
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("trials", trials);
        search.put("chosen", best + 1);
        search.put("criterion", "lowest best-epoch " + ForecastTask.VAL_MASE + " (validation part only)");
        out.printf(Locale.ROOT, "settings search: chose trial %d (%s), %s %.4f%n", best + 1, candidates.get(best),
                ForecastTask.VAL_MASE, bestScore);
        return new Result(candidates.get(best), search);
    }

    /** The chosen candidate and the search's record for the model's provenance. */
    record Result(Candidate chosen, Map<String, Object> record) {
        Result {
            Objects.requireNonNull(chosen, "chosen");
        }
    }

    private static double bestValidation(List<EpochRecord> history) {
        double best = Double.POSITIVE_INFINITY;
        for (EpochRecord r : history) {
            double v = r.metric(ForecastTask.VAL_MASE);
            if (Double.isFinite(v) && v < best) {
                best = v;
            }
        }
        return best;
    }
}
