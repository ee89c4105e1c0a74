package io.stepwise.training.experiments;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.data.CharCorpus;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.train.TrainerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Experiment 1, gradient flow through time: for RNN (tanh), LSTM and GRU, at initialisation and after training a
 * character language model, the norm of ∂loss/∂h_t as a function of the distance between step t and the loss,
 * read from the unrolled recurrence ({@link UnrolledRecurrence}) over the trained weights.
 */
public final class GradientFlowExperiment implements Experiment {
    static final List<CellKind> CELLS = AddingProblemExperiment.CELLS;

    record Budget(int maxChars, int hidden, int embedding, int length, long[] seeds, int batchSize, int epochs,
                  int stepsPerEpoch, int measureBatches, float learningRate) {
        static Budget of(ExperimentScale scale) {
            return scale.pick(new Budget(20_000, 16, 8, 12, new long[] {1}, 8, 1, 3, 1, 3e-3f),
                    new Budget(200_000, 128, 32, 100, new long[] {1, 2, 3}, 32, 3, 100, 2, 3e-3f));
        }
    }

    /** A gradient that keeps at least this share of its norm over the far distance still "flows". */
    static final double FLOWING = 1e-2;

    /** The distance at which decay is judged: half the window, far enough to matter, near enough for float32. */
    static int farDistance(int length) {
        return Math.max(2, length / 2);
    }

    @Override
    public String name() {
        return "gradient-flow";
    }

    @Override
    public String description() {
        return "norm of dloss/dh_t vs distance from the loss, RNN/LSTM/GRU, at initialisation and after training";
    }

    /** One measured curve: mean ‖∂loss/∂h_{T−1−d}‖ for d = 0 … T−1. */
    record Curve(CellKind cell, String phase, long seed, double[] norms, double fusedDifference, double valBpc) {
    }

    @Override
    public ExperimentReport run(ExperimentContext context) throws Exception {
        Budget b = Budget.of(context.scale());
        CharCorpus corpus = CharCorpus.builder().setEuroparlEnglish(b.maxChars()).build();
        int vocabulary = corpus.vocabulary().size();
        List<Curve> curves = new ArrayList<>();
        for (long seed : b.seeds()) {
            for (CellKind cell : CELLS) {
                try (NDManager manager = NDManager.newBaseManager()) {
                    NetworkSpec spec = NetworkSpec.builder().setCell(cell).setHiddenSize(b.hidden())
                            .setTokenInput(vocabulary, b.embedding()).setOutputSize(vocabulary).build();
                    RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
                    DjlRuntime.seed(seed);
                    net.initialize(manager);
                    CharWindowTask task = new CharWindowTask(net, corpus.trainIds(), corpus.validationIds(),
                            b.length(), b.batchSize(), b.stepsPerEpoch(), 64);
                    double bpcBefore;
                    try (NDManager m = manager.newSubManager()) {
                        bpcBefore = task.bitsPerCharacter(m);
                    }
                    curves.add(measure(manager, net, corpus, b, cell, "initialisation", seed, bpcBefore));
                    TrainerConfig config = TrainerConfig.builder().setEpochs(b.epochs())
                            .optLearningRate(b.learningRate()).optCosineSchedule(b.learningRate() / 10)
                            .optMonitor(CharWindowTask.VAL_BPC, false).optPatience(0).optSeed(seed).build();
                    ExperimentTraining.Run run = ExperimentTraining.train(net, net.exampleInputShape(), manager, task,
                            config, context.workDir());
                    curves.add(measure(manager, net, corpus, b, cell, "trained", seed, run.result().bestMetric()));
                    context.progress("gradient-flow %s seed %d: val bpc %.3f → %.3f (%.0f s CPU training)", cell.id(),
                            seed, bpcBefore, run.result().bestMetric(), run.cpuSeconds());
                }
            }
        }
        return report(b, vocabulary, curves);
    }

    /**
     * Mean over {@code measureBatches} batches of validation windows of ‖∂loss/∂h_t‖ per sequence, where the loss
     * is the cross-entropy of the prediction after the window's last character, summed over the batch (so each
     * sequence's gradient is its own loss's).
     */
    private Curve measure(NDManager parent, RecurrentNet net, CharCorpus corpus, Budget b, CellKind cell,
                          String phase, long seed, double valBpc) {
        UnrolledRecurrence unrolled = new UnrolledRecurrence(net);
        int[] ids = corpus.validationIds();
        int length = b.length();
        double[] sums = new double[length];
        long sequences = 0;
        double fusedDifference = 0;
        Random random = new Random(7919 + seed);
        Engine engine = DjlRuntime.engine();
        for (int batch = 0; batch < b.measureBatches(); batch++) {
            int[][] windows = new int[b.batchSize()][];
            for (int i = 0; i < windows.length; i++) {
                int start = random.nextInt(ids.length - length - 1);
                windows[i] = java.util.Arrays.copyOfRange(ids, start, start + length + 1);
            }
            try (NDManager m = parent.newSubManager()) {
                NDList xy = CharWindowTask.inputsAndTargets(m, windows, length);
                fusedDifference = Math.max(fusedDifference, unrolled.maxDifferenceFromFused(m, xy.get(0)));
                double[][] norms;
                try (GradientCollector collector = engine.newGradientCollector()) {
                    UnrolledRecurrence.Unrolled u = unrolled.forward(m, xy.get(0));
                    NDArray last = u.outputs().get(new NDIndex(":, {}, :", length - 1));
                    NDArray target = xy.get(1).get(new NDIndex(":, {}", length - 1));
                    NDArray loss = CharWindowTask.crossEntropy(last, target).mul(windows.length);
                    collector.backward(loss);
                    norms = new double[length][];
                    for (int t = 0; t < length; t++) {
                        NDArray g = u.probes().get(t).getGradient();
                        norms[t] = g.square().sum(new int[] {1}).sqrt().toType(DataType.FLOAT64, false)
                                .toDoubleArray();
                    }
                }
                for (int t = 0; t < length; t++) {
                    int distance = length - 1 - t;
                    for (double v : norms[t]) {
                        sums[distance] += v;
                    }
                }
                sequences += windows.length;
            }
            zeroParameterGradients(net);
        }
        double[] mean = new double[length];
        for (int d = 0; d < length; d++) {
            mean[d] = sums[d] / sequences;
        }
        return new Curve(cell, phase, seed, mean, fusedDifference, valBpc);
    }

    /** The measurement's backward pass also filled the parameters' gradients; clear them before training. */
    private static void zeroParameterGradients(RecurrentNet net) {
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray w = p.getValue().getArray();
            if (w.hasGradient()) {
                try (NDArray g = w.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    private ExperimentReport report(Budget b, int vocabulary, List<Curve> curves) {
        ExperimentReport r = new ExperimentReport(name(), "Gradient flow through time: RNN vs LSTM vs GRU");
        r.introduction("""
                **Claim.** Back-propagating through a vanilla RNN multiplies the gradient by the recurrent \
                Jacobian once per step, so ∂loss/∂h_t shrinks exponentially with the distance between step t and \
                the loss (vanishing gradients); the additive cell state of the LSTM and the update gate of the GRU \
                let it flow much further. **Measurement.** The norm ‖∂loss/∂h_t‖ against the distance d = T−1−t, \
                for a loss placed at the last step of a window, at initialisation and after training a character \
                language model.""");
        r.setup(String.format(Locale.ROOT, """
                - Task: next-character prediction on the English Europarl sample (%,d characters, vocabulary %d; \
                the last 10%% held out). Networks: embedding %d → one recurrent layer of hidden size %d (the same \
                for every cell: the claim is about the cell's dynamics) → linear head per step.
                - Training: Stepwise's `Trainer` (Adam, learning rate %s, cosine decay to a tenth, gradient norm \
                clipped at 5), %d epochs × %d steps of %d random windows of %d characters from a zero state; the \
                best epoch by validation bits per character is kept. Seeds %s.
                - Measurement: %d batches × %d validation windows of T = %d characters; loss = cross-entropy of \
                the prediction after the last character (summed over the batch, so each sequence's gradient is \
                its own); ‖∂loss/∂h_t‖ per sequence, averaged over all %d sequences. The hidden states are made \
                graph nodes by unrolling the cell in DJL operators over the trained weights \
                (`UnrolledRecurrence`: h_t = cell(x_t, h_{t−1}) + p_t with a zero probe p_t whose gradient is \
                ∂loss/∂h_t); the unrolled outputs are checked against PyTorch's fused kernel on every batch (largest \
                difference in the table).
                - Judged at d = T/2 = %d: the ratio g(%d)/g(1) and the per-step decay factor \
                (g(%d)/g(1))^(1/%d) (d = 0 is left out: there the gradient comes straight from the head; beyond \
                about d = 70 the RNN's gradient underflows float32 to exactly 0). A gradient *vanishes* when it \
                keeps less than 1%% of its norm over those %d steps and *flows* otherwise.
                """, b.maxChars(), vocabulary, b.embedding(), b.hidden(), b.learningRate(), b.epochs(),
                b.stepsPerEpoch(), b.batchSize(), b.length(), java.util.Arrays.toString(b.seeds()),
                b.measureBatches(), b.batchSize(), b.length(), b.measureBatches() * b.batchSize(),
                farDistance(b.length()), farDistance(b.length()), farDistance(b.length()),
                farDistance(b.length()) - 1, farDistance(b.length())));
        List<List<String>> rows = new ArrayList<>();
        Map<String, Double> ratioMean = new LinkedHashMap<>();
        Map<String, Stats> ratioStats = new LinkedHashMap<>();
        int length = b.length();
        int far = farDistance(length);
        double[] distance = new double[length];
        for (int d = 0; d < length; d++) {
            distance[d] = d;
        }
        List<Map<String, Object>> raw = new ArrayList<>();
        for (String phase : List.of("initialisation", "trained")) {
            Figure fig = new Figure(phase.equals("trained") ? "trained" : "init",
                    "‖∂loss/∂h_t‖ vs distance from the loss, " + (phase.equals("trained") ? "after training"
                            : "at initialisation") + " (mean over seeds)", "distance from the loss (steps)",
                    "gradient norm (log scale)", false, true);
            for (CellKind cell : CELLS) {
                List<Curve> cs = curves.stream().filter(c -> c.cell() == cell && c.phase().equals(phase)).toList();
                double[] mean = new double[length];
                double[] sd = new double[length];
                for (int d = 0; d < length; d++) {
                    final int dd = d;
                    Stats s = Stats.of(cs.stream().mapToDouble(c -> c.norms()[dd]).toArray());
                    mean[d] = s.mean();
                    sd[d] = s.sd();
                }
                fig.add(cell.id(), distance, mean, sd);
                double[] ratios = cs.stream().mapToDouble(c -> c.norms()[far] / c.norms()[1]).toArray();
                double[] rates = cs.stream().mapToDouble(c -> Math.pow(c.norms()[far] / c.norms()[1],
                        1.0 / (far - 1))).toArray();
                double[] bpc = cs.stream().mapToDouble(Curve::valBpc).toArray();
                double fused = cs.stream().mapToDouble(Curve::fusedDifference).max().orElse(Double.NaN);
                Stats ratio = Stats.of(ratios);
                Stats rate = Stats.of(rates);
                ratioStats.put(cell.id() + "/" + phase, ratio);
                ratioMean.put(cell.id() + "/" + phase, Stats.median(ratios));
                rows.add(List.of(cell.id(), phase, fmt(Stats.of(cs.stream().mapToDouble(c -> c.norms()[1])
                                .toArray())), fmt(Stats.of(cs.stream().mapToDouble(c -> c.norms()[far])
                                .toArray())), String.format(Locale.ROOT, "%.2e (%.2e–%.2e)", Stats.median(ratios),
                                ratio.min(), ratio.max()),
                        String.format(Locale.ROOT, "%.4f ± %.4f", rate.mean(), rate.sd()),
                        String.format(Locale.ROOT, "%.3f ± %.3f", Stats.of(bpc).mean(), Stats.of(bpc).sd()),
                        String.format(Locale.ROOT, "%.1e", fused)));
            }
            r.figure(fig);
        }
        for (Curve c : curves) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell", c.cell().id());
            m.put("phase", c.phase());
            m.put("seed", c.seed());
            m.put("val_bpc", c.valBpc());
            m.put("max_abs_diff_unrolled_vs_fused", c.fusedDifference());
            m.put("grad_norm_by_distance", c.norms());
            raw.add(m);
        }
        r.table(new ExperimentReport.Table(String.format(Locale.ROOT, "Gradient norm at distance 1 and %d, their"
                        + " ratio (median and range over seeds) and the per-step decay factor", far),
                List.of("cell", "weights", "‖g‖ at d=1", "‖g‖ at d=" + far, "ratio g(" + far + ")/g(1)",
                        "decay factor per step", "val bpc", "unrolled vs fused max |diff|"), rows));
        r.result("curves", raw);

        int vanishHeld = 0;
        StringBuilder rnnEvidence = new StringBuilder();
        for (String phase : List.of("initialisation", "trained")) {
            double ratio = ratioMean.get("rnn_tanh/" + phase);
            if (ratio < FLOWING) {
                vanishHeld++;
            }
            rnnEvidence.append(String.format(Locale.ROOT, "RNN %s: g(%d)/g(1) = %.1e (range %.1e–%.1e); ", phase,
                    far, ratio, ratioStats.get("rnn_tanh/" + phase).min(), ratioStats.get("rnn_tanh/" + phase).max()));
        }
        r.claim(new Claim("A vanilla RNN's gradient vanishes over long spans: ‖∂loss/∂h_t‖ falls by more than"
                + " 100× over " + far + " steps", Verdict.of(vanishHeld, 2),
                rnnEvidence + "seeds " + java.util.Arrays.toString(b.seeds())));
        int gatedHeld = 0;
        StringBuilder gatedEvidence = new StringBuilder();
        for (CellKind cell : List.of(CellKind.LSTM, CellKind.GRU)) {
            for (String phase : List.of("initialisation", "trained")) {
                double gated = ratioMean.get(cell.id() + "/" + phase);
                double rnn = ratioMean.get("rnn_tanh/" + phase);
                if (gated >= FLOWING) {
                    gatedHeld++;
                }
                gatedEvidence.append(String.format(Locale.ROOT, "%s %s: %.1e (%s the RNN's); ", cell.id(), phase,
                        gated, rnn > 0 ? String.format(Locale.ROOT, "%.1e×", gated / rnn) : "RNN's is 0,"));
            }
        }
        r.claim(new Claim("LSTM and GRU gates keep the gradient flowing: over " + far + " steps it falls by less than"
                + " 100× (at initialisation and after training)", Verdict.of(gatedHeld, 4),
                gatedEvidence + "ratio g(" + far + ")/g(1), median over seeds " + java.util.Arrays.toString(b.seeds())));
        r.note("The LSTM's forget-gate bias starts at PyTorch's default (uniform in ±1/√H, so the forget gate starts"
                + " near 0.5), not at 1 as some recipes recommend; at initialisation its gradient decays about as fast"
                + " as the RNN's for that reason.");
        r.note("Hidden sizes are equal, not parameter budgets: LSTM and GRU have 4× and 3× the RNN's recurrent "
                + "weights here. The gradient at distance 0 comes straight from the head and is left out of ratios.");
        return r;
    }

    private static String fmt(Stats s) {
        return String.format(Locale.ROOT, "%.2e ± %.1e", s.mean(), s.sd());
    }
}
