package io.stepwise.training.experiments;

import ai.djl.ndarray.NDManager;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.train.TrainerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Experiment 3, truncated back-propagation through time: an LSTM learns the delayed copy x[t − k] with windows of
 * τ steps and the state carried across windows; accuracy as a function of τ for several delays k.
 */
public final class TruncatedBpttExperiment implements Experiment {
    /** Accuracy at or above which a delay counts as learned. */
    static final double LEARNED = 0.9;
    /** Accuracy below which it counts as not learned (chance is 1/alphabet). */
    static final double NOT_LEARNED = 0.5;

    record Budget(int[] delays, int[] truncations, long[] seeds, int alphabet, int hidden, int embedding,
                  int streams, int epochs, int epochLength, int validationLength, float learningRate) {
        static Budget of(ExperimentScale scale) {
            return scale.pick(new Budget(new int[] {2}, new int[] {2, 4}, new long[] {1}, 4, 32, 8, 8, 1, 64, 64,
                            3e-3f),
                    new Budget(new int[] {2, 5, 10}, new int[] {2, 4, 8, 16, 32}, new long[] {1, 2}, 4, 64, 8, 32, 4,
                            1536, 1000, 3e-3f));
        }
    }

    @Override
    public String name() {
        return "truncated-bptt";
    }

    @Override
    public String description() {
        return "delayed copy x[t-k] learned with truncation window tau and state carried: accuracy vs tau and k";
    }

    record Outcome(int delay, int truncation, long seed, double accuracy, double cpuSeconds) {
    }

    @Override
    public ExperimentReport run(ExperimentContext context) throws Exception {
        Budget b = Budget.of(context.scale());
        int[][] validation = DelayedCopy.streams(32, b.validationLength(), b.alphabet(), new Random(4242));
        List<Outcome> outcomes = new ArrayList<>();
        for (long seed : b.seeds()) {
            for (int delay : b.delays()) {
                for (int truncation : b.truncations()) {
                    try (NDManager manager = NDManager.newBaseManager()) {
                        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).setHiddenSize(b.hidden())
                                .setTokenInput(b.alphabet(), b.embedding()).setOutputSize(b.alphabet()).build();
                        RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
                        DelayedCopyTask task = new DelayedCopyTask(net, b.alphabet(), delay, truncation, b.streams(),
                                b.epochLength(), validation);
                        TrainerConfig config = TrainerConfig.builder().setEpochs(b.epochs())
                                .optLearningRate(b.learningRate()).optCosineSchedule(b.learningRate() / 10)
                                .optMonitor(DelayedCopyTask.VAL_ACCURACY, true).optPatience(0).optSeed(seed).build();
                        ExperimentTraining.Run run = ExperimentTraining.train(net, net.exampleInputShape(), manager,
                                task, config, context.workDir());
                        double accuracy = DelayedCopyTask.accuracy(manager, net, validation, delay);
                        outcomes.add(new Outcome(delay, truncation, seed, accuracy, run.cpuSeconds()));
                        context.progress("truncated-bptt k=%d tau=%d seed %d: accuracy %.3f (%.0f s CPU)", delay,
                                truncation, seed, accuracy, run.cpuSeconds());
                    }
                }
            }
        }
        return report(b, outcomes);
    }

    private ExperimentReport report(Budget b, List<Outcome> outcomes) {
        ExperimentReport r = new ExperimentReport(name(), "Truncated back-propagation through time on a delayed copy");
        double chance = 1.0 / b.alphabet();
        r.introduction("""
                **Claim.** Training unrolls the network through time (BPTT); truncated BPTT cuts the unrolling \
                into windows of τ steps, carrying the state forward but not the gradient. The state can then \
                *carry* information across a window boundary, but nothing *teaches* the network to keep it: a \
                dependency k ≥ τ steps back always straddles a boundary, so its gradient is cut. **Test.** A \
                delayed copy: read a random symbol per step and output the symbol read k steps earlier.""");
        r.setup(String.format(Locale.ROOT, """
                - Network: LSTM, one layer, hidden %d, embedding %d, alphabet of %d symbols (chance %.2f), head on \
                every step.
                - Training: Stepwise's `Trainer` (Adam %s, cosine decay to a tenth, gradient norm clipped at 5); \
                %d epochs, each on %d fresh streams of %,d symbols read in consecutive windows of τ steps with \
                the state carried across windows (`CarriedState`: values kept, gradient cut) and reset at each \
                epoch. Every τ sees the same %,d symbols per stream, so only the truncation differs (shorter \
                windows make more, smaller updates). Best epoch by validation accuracy kept.
                - Measurement: accuracy of x[t − k] over 32 held-out streams of %,d symbols, read with the \
                state carried from the start (no truncation at test time). Delays k = %s, truncations τ = %s, \
                seeds %s.
                - Verdict rule: *learned* means accuracy ≥ %.1f; *not learned* below %.1f.
                """, b.hidden(), b.embedding(), b.alphabet(), chance, b.learningRate(), b.epochs(), b.streams(),
                b.epochLength(), b.epochs() * b.epochLength(), b.validationLength(), Arrays.toString(b.delays()),
                Arrays.toString(b.truncations()), Arrays.toString(b.seeds()), LEARNED, NOT_LEARNED));
        Figure figure = new Figure("accuracy", "Delayed copy: accuracy vs truncation window (mean ± sd over seeds)",
                "truncation window τ (steps, log scale)", "accuracy of x[t−k]", true, false);
        List<List<String>> rows = new ArrayList<>();
        int cutCells = 0;
        int cutHeld = 0;
        int openCells = 0;
        int openHeld = 0;
        StringBuilder cutEvidence = new StringBuilder();
        StringBuilder openEvidence = new StringBuilder();
        for (int delay : b.delays()) {
            double[] xs = Arrays.stream(b.truncations()).asDoubleStream().toArray();
            double[] means = new double[xs.length];
            double[] sds = new double[xs.length];
            List<String> row = new ArrayList<>();
            row.add("k = " + delay);
            double worstBelow = 0;
            double bestBelow = 0;
            for (int i = 0; i < xs.length; i++) {
                int tau = b.truncations()[i];
                Stats s = Stats.of(outcomes.stream().filter(o -> o.delay() == delay && o.truncation() == tau)
                        .mapToDouble(Outcome::accuracy).toArray());
                means[i] = s.mean();
                sds[i] = s.sd();
                row.add(String.format(Locale.ROOT, "%.3f ± %.3f", s.mean(), s.sd()));
                if (tau <= delay) {
                    cutCells++;
                    if (s.max() < NOT_LEARNED) {
                        cutHeld++;
                    }
                    bestBelow = Math.max(bestBelow, s.max());
                } else {
                    openCells++;
                    if (s.min() >= LEARNED) {
                        openHeld++;
                    }
                    worstBelow = worstBelow == 0 ? s.min() : Math.min(worstBelow, s.min());
                }
            }
            if (Arrays.stream(b.truncations()).anyMatch(t -> t <= delay)) {
                cutEvidence.append(String.format(Locale.ROOT, "k=%d, τ≤%d: best accuracy %.3f; ", delay, delay,
                        bestBelow));
            }
            if (Arrays.stream(b.truncations()).anyMatch(t -> t > delay)) {
                openEvidence.append(String.format(Locale.ROOT, "k=%d, τ>%d: worst accuracy %.3f; ", delay, delay,
                        worstBelow));
            }
            rows.add(row);
            figure.add("k = " + delay, xs, means, sds);
        }
        double[] xs = Arrays.stream(b.truncations()).asDoubleStream().toArray();
        figure.add("chance", xs, AddingProblemExperiment.constant(xs.length, chance));
        List<String> columns = new ArrayList<>();
        columns.add("delay");
        for (int tau : b.truncations()) {
            columns.add("τ = " + tau);
        }
        r.table(new ExperimentReport.Table("Accuracy (mean ± sd over seeds " + Arrays.toString(b.seeds())
                + "; chance " + String.format(Locale.ROOT, "%.2f", chance) + ")", columns, rows));
        r.figure(figure);
        List<Map<String, Object>> raw = new ArrayList<>();
        for (Outcome o : outcomes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("delay", o.delay());
            m.put("truncation", o.truncation());
            m.put("seed", o.seed());
            m.put("accuracy", o.accuracy());
            m.put("training_cpu_seconds", Math.round(o.cpuSeconds() * 10) / 10.0);
            raw.add(m);
        }
        r.result("runs", raw);
        r.result("chance", chance);
        if (cutCells > 0) {
            r.claim(new Claim("Truncated BPTT cannot learn a dependency k ≥ τ steps back, even with the state carried"
                    + " across windows", Verdict.of(cutHeld, cutCells), cutEvidence.toString() + cutHeld + " of " + cutCells
                    + " (k, τ ≤ k) pairs stayed below " + NOT_LEARNED + " in every seed; chance "
                    + String.format(Locale.ROOT, "%.2f", chance)));
        }
        if (openCells > 0) {
            r.claim(new Claim("With τ > k the same network learns the dependency, and applies it across window"
                    + " boundaries", Verdict.of(openHeld, openCells), openEvidence.toString() + openHeld + " of " + openCells
                    + " (k, τ > k) pairs reached " + LEARNED + " in every seed"));
        }
        r.note("At test time the state is carried through the whole stream, so an answer whose source lies in an "
                + "earlier window is reachable in principle; only training is truncated.");
        return r;
    }
}
