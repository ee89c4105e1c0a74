package io.stepwise.training.experiments;

import ai.djl.ndarray.NDManager;
import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.Session;
import io.stepwise.training.data.WordLanguageDataset;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.tasks.DefaultPaths;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.training.ModelTraining;
import io.stepwise.training.tasks.training.RecurrentTask;
import io.stepwise.training.tasks.training.TrainingOptions;
import io.stepwise.training.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Experiment 4, GRU vs LSTM cost and quality on the three default tasks: parameters and final metric of the
 * committed default models (models/*.onnx and their cards), training throughput of the default configurations
 * through Stepwise's trainer, and step latency of the committed models through the runtime.
 */
public final class CellCostExperiment implements Experiment {
    static final List<TaskKind> TASKS = List.of(TaskKind.LANGUAGE_MODEL, TaskKind.FORECAST, TaskKind.CLASSIFY);
    static final List<CellKind> CELLS = List.of(CellKind.LSTM, CellKind.GRU);

    record Budget(int trainingSteps, int trainingRounds, int latencySteps, int latencyRounds) {
        static Budget of(ExperimentScale scale) {
            return scale.pick(new Budget(2, 1, 20, 1), new Budget(25, 3, 2000, 5));
        }
    }

    @Override
    public String name() {
        return "gru-vs-lstm";
    }

    @Override
    public String description() {
        return "GRU vs LSTM on the default tasks: parameters, training tokens/s, runtime step latency, final metric";
    }

    static String modelFile(TaskKind task, CellKind cell) {
        String prefix = switch (task) {
            case LANGUAGE_MODEL -> "charlm";
            case FORECAST -> "co2";
            case CLASSIFY -> "langid";
            default -> throw new IllegalArgumentException("task: no default model for " + task.cliName());
        };
        return "models/" + prefix + "-" + cell.id() + ".onnx";
    }

    @Override
    public ExperimentReport run(ExperimentContext context) throws Exception {
        Budget b = Budget.of(context.scale());
        Map<String, double[]> trainRates = new LinkedHashMap<>(); // task/cell → tokens per CPU second per round
        Map<String, double[]> latencies = new LinkedHashMap<>();  // task/cell → µs per step per round
        Map<String, Long> parameters = new LinkedHashMap<>();
        Map<String, String> shapes = new LinkedHashMap<>(); // task/cell → "layers × hidden" of the committed model
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, String> metricNames = new LinkedHashMap<>();
        for (TaskKind task : TASKS) {
            for (CellKind cell : CELLS) {
                Path file = DefaultPaths.resolve(Path.of(modelFile(task, cell)));
                if (!Files.isRegularFile(file)) {
                    throw new IllegalStateException("model: " + file + " not found; the committed default models are"
                            + " needed (make models)");
                }
                try (RecurrentModel model = RecurrentModel.load(file)) {
                    ModelInfo info = model.info();
                    parameters.put(key(task, cell), parameterCount(info));
                    shapes.put(key(task, cell), info.layers() + " × " + info.hiddenSize()
                            + (info.directions() == 2 ? " bidirectional" : ""));
                    String metric = ModelEvaluation.primaryMetric(task);
                    metricNames.put(task.cliName(), metric);
                    metrics.put(key(task, cell), info.metrics().getOrDefault(metric, Double.NaN));
                }
            }
            measureTraining(context, b, task, trainRates);
            measureLatency(context, b, task, latencies);
        }
        return report(b, trainRates, latencies, parameters, shapes, metrics, metricNames);
    }

    private static String key(TaskKind task, CellKind cell) {
        return task.cliName() + "/" + cell.id();
    }

    /** Parameters of the network a model file holds, from its metadata. */
    static long parameterCount(ModelInfo info) {
        long g = switch (info.cell()) {
            case LSTM -> 4;
            case GRU -> 3;
            default -> 1;
        };
        long h = info.hiddenSize();
        long total = 0;
        long input = info.isTokenInput() ? info.embeddingSize() : info.inputSize();
        for (int l = 0; l < info.layers(); l++) {
            long in = l == 0 ? input : h * info.directions();
            total += info.directions() * (g * h * (in + h) + 2 * g * h);
        }
        if (info.isTokenInput()) {
            total += (long) info.inputSize() * info.embeddingSize();
        }
        total += (long) info.outputSize() * h * info.directions() + info.outputSize();
        return total;
    }

    /** Trains each cell's default configuration for a few steps, interleaved, several rounds; tokens per CPU s. */
    private void measureTraining(ExperimentContext context, Budget b, TaskKind task, Map<String, double[]> rates)
            throws Exception {
        Map<CellKind, Trainee<?>> trainees = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (CellKind cell : CELLS) {
                TrainingOptions options = TrainingOptions.defaults(task, cell, context.workDir().resolve("unused.onnx"));
                trainees.put(cell, Trainee.create(options, manager.newSubManager()));
                rates.put(key(task, cell), new double[b.trainingRounds()]);
            }
            for (int round = 0; round < b.trainingRounds(); round++) {
                for (CellKind cell : CELLS) {
                    double rate = trainees.get(cell).run(b.trainingSteps(), round, context);
                    rates.get(key(task, cell))[round] = rate;
                    context.progress("gru-vs-lstm %s %s round %d: %.0f training tokens per CPU second",
                            task.cliName(), cell.id(), round + 1, rate);
                }
            }
        }
    }

    /** One default task and network, trained a few steps at a time. */
    private record Trainee<B>(RecurrentTask<B> task, RecurrentNet net, NDManager manager,
                              ToLongFunction<B> tokens) {
        @SuppressWarnings("unchecked")
        static Trainee<?> create(TrainingOptions options, NDManager manager) {
            RecurrentTask<?> task = ModelTraining.createTask(options);
            RecurrentNet net = RecurrentNet.builder().setSpec(task.spec()).build();
            task.bind(net);
            ToLongFunction<Object> tokens = switch (options.task()) {
                case LANGUAGE_MODEL -> batch -> ((RecurrentTask<Object>) task).sampleCount(batch);
                case FORECAST -> batch -> ((RecurrentTask<Object>) task).sampleCount(batch) * options.window();
                case CLASSIFY -> batch -> {
                    WordLanguageDataset.LengthBatch lb = (WordLanguageDataset.LengthBatch) batch;
                    return (long) lb.size() * lb.length();
                };
                default -> batch -> ((RecurrentTask<Object>) task).sampleCount(batch);
            };
            return new Trainee<>((RecurrentTask<Object>) task, net, manager, tokens);
        }

        double run(int steps, int round, ExperimentContext context) throws Exception {
            StepLimitedTask<B> limited = new StepLimitedTask<>(task, steps, tokens);
            TrainerConfig config = TrainerConfig.builder().setEpochs(1).optLearningRate(1e-3f).optPatience(0)
                    .optSeed(42 + round).build();
            ExperimentTraining.Run run = ExperimentTraining.train(net, net.exampleInputShape(), manager, limited,
                    config, context.workDir());
            return limited.tokensSeen() / run.cpuSeconds();
        }
    }

    /** Steps (or, for the bidirectional classifiers, whole words) through the runtime; µs per step. */
    private void measureLatency(ExperimentContext context, Budget b, TaskKind task, Map<String, double[]> latencies)
            throws Exception {
        Map<CellKind, RecurrentModel> models = new LinkedHashMap<>();
        try {
            for (CellKind cell : CELLS) {
                models.put(cell, RecurrentModel.load(DefaultPaths.resolve(Path.of(modelFile(task, cell)))));
                latencies.put(key(task, cell), new double[b.latencyRounds()]);
                timeSteps(models.get(cell), Math.max(10, b.latencySteps() / 10)); // warm-up
            }
            for (int round = 0; round < b.latencyRounds(); round++) {
                for (CellKind cell : CELLS) {
                    latencies.get(key(task, cell))[round] = timeSteps(models.get(cell), b.latencySteps());
                }
            }
        } finally {
            for (RecurrentModel m : models.values()) {
                m.close();
            }
        }
        for (CellKind cell : CELLS) {
            context.progress("gru-vs-lstm %s %s: %s µs per runtime step", task.cliName(), cell.id(),
                    Stats.of(latencies.get(key(task, cell))).format(3));
        }
    }

    /** Wall-clock µs per step (per word of 8 characters for a bidirectional model). */
    static double timeSteps(RecurrentModel model, int steps) {
        ModelInfo info = model.info();
        long start;
        if (info.bidirectional()) {
            // A whole word per call costs about a hundred steps; a tenth as many calls keeps the time comparable.
            steps = Math.max(1, steps / 10);
            long[][] word = {{3, 7, 1, 9, 4, 4, 2, 5}};
            start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                model.forward(word);
            }
        } else {
            try (Session session = model.newSession()) {
                float[] features = new float[info.isTokenInput() ? 0 : info.inputSize()];
                start = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    if (info.isTokenInput()) {
                        session.step(i % info.inputSize());
                    } else {
                        features[0] = (float) Math.sin(i * 0.1);
                        session.step(features);
                    }
                }
            }
        }
        return (System.nanoTime() - start) / 1e3 / steps;
    }

    private ExperimentReport report(Budget b, Map<String, double[]> trainRates, Map<String, double[]> latencies,
                                    Map<String, Long> parameters, Map<String, String> shapes,
                                    Map<String, Double> metrics,
                                    Map<String, String> metricNames) {
        ExperimentReport r = new ExperimentReport(name(), "GRU vs LSTM: cost and quality on the default tasks");
        r.introduction("""
                **Claim.** The GRU has fewer parameters than the LSTM (three gate blocks instead of four), so it \
                trains and runs faster, and it often matches the LSTM's quality. **Test.** The three default \
                tasks at their default settings (character language model on Europarl, CO₂ forecaster, word → \
                language classifier): the committed default models' parameters and final metrics, training \
                throughput of the default configurations, and step latency of the committed models through the \
                runtime.""");
        r.setup(String.format(Locale.ROOT, """
                - Parameters: counted from each committed model's network (models/*.onnx metadata).
                - Final metric: the one recorded in each committed model card (validation bits per character, \
                test MASE, test accuracy), measured when `make models` trained it — **one training run each \
                (seed 42)**, so these have no seed spread; differences of a few percent are within what another \
                seed could give.
                - Training throughput: the default configuration of each task (`TrainingOptions.defaults`: same \
                hidden size, batch and data for both cells), %d training steps through Stepwise's `Trainer` per \
                round, LSTM and GRU interleaved, %d rounds; tokens = sequences × time steps; rate = tokens per \
                CPU-second of the training thread (PyTorch on one thread), so neighbours on the shared machine \
                do not distort it.
                - Step latency: the committed model through ONNX Runtime (`RecurrentModel`), %,d steps of one \
                stream per round after a warm-up, LSTM and GRU interleaved, %d rounds, wall-clock µs per step; \
                the bidirectional classifiers cannot step, so theirs is one `forward` of an 8-character word (a tenth as many calls).
                - Verdicts: *faster* on a task when the median GRU/LSTM ratio favours the GRU by more than 5%% \
                and every round does; *matches* when the GRU's metric is within 3%% of the LSTM's or better.
                """, b.trainingSteps(), b.trainingRounds(), b.latencySteps(), b.latencyRounds()));
        List<List<String>> rows = new ArrayList<>();
        int fewer = 0;
        int sameShape = 0;
        StringBuilder shapeNote = new StringBuilder();
        int trainsFaster = 0;
        int runsFaster = 0;
        int matches = 0;
        StringBuilder paramEv = new StringBuilder();
        StringBuilder trainEv = new StringBuilder();
        StringBuilder runEv = new StringBuilder();
        StringBuilder qualityEv = new StringBuilder();
        Figure fig = new Figure("ratios", "GRU / LSTM ratios per task (>1: GRU larger)", "task (1 = charlm, 2 = co2, "
                + "3 = langid)", "GRU / LSTM", false, false);
        double[] tx = {1, 2, 3};
        double[] pr = new double[3];
        double[] trr = new double[3];
        double[] trsd = new double[3];
        double[] lr = new double[3];
        double[] lrsd = new double[3];
        for (int i = 0; i < TASKS.size(); i++) {
            TaskKind task = TASKS.get(i);
            String t = task.cliName();
            long pl = parameters.get(key(task, CellKind.LSTM));
            long pg = parameters.get(key(task, CellKind.GRU));
            double[] trainRatio = ratios(trainRates.get(key(task, CellKind.GRU)), trainRates.get(key(task,
                    CellKind.LSTM)));
            double[] latRatio = ratios(latencies.get(key(task, CellKind.GRU)), latencies.get(key(task,
                    CellKind.LSTM)));
            Stats tr = Stats.of(trainRatio);
            Stats lt = Stats.of(latRatio);
            double ml = metrics.get(key(task, CellKind.LSTM));
            double mg = metrics.get(key(task, CellKind.GRU));
            boolean lowerIsBetter = !metricNames.get(t).contains("accuracy");
            double qualityRatio = lowerIsBetter ? mg / ml : ml / mg; // ≤ 1.03 means GRU within 3 % or better
            String sl = shapes.get(key(task, CellKind.LSTM));
            String sg = shapes.get(key(task, CellKind.GRU));
            // "Same hidden size" compares cells of one shape; a committed default of another depth is reported,
            // not counted.
            boolean comparable = sl.equals(sg);
            if (comparable) {
                sameShape++;
                if (pg < pl) {
                    fewer++;
                }
            } else {
                shapeNote.append(String.format(Locale.ROOT, "%s: the committed LSTM is %s, the GRU %s (layers × "
                        + "hidden): parameters, step latency and final metric compare different networks; ", t, sl, sg));
            }
            if (Stats.median(trainRatio) > 1.05 && tr.min() > 1) {
                trainsFaster++;
            }
            if (Stats.median(latRatio) < 1 / 1.05 && lt.max() < 1) {
                runsFaster++;
            }
            if (qualityRatio <= 1.03) {
                matches++;
            }
            pr[i] = (double) pg / pl;
            trr[i] = tr.mean();
            trsd[i] = tr.sd();
            lr[i] = lt.mean();
            lrsd[i] = lt.sd();
            paramEv.append(String.format(Locale.ROOT, "%s %,d vs %,d (%.2f×%s); ", t, pg, pl, (double) pg / pl,
                    comparable ? "" : ", not counted: different shapes"));
            trainEv.append(String.format(Locale.ROOT, "%s GRU/LSTM tokens per CPU s %.2f ± %.2f; ", t, tr.mean(),
                    tr.sd()));
            runEv.append(String.format(Locale.ROOT, "%s GRU/LSTM µs per step %.2f ± %.2f; ", t, lt.mean(), lt.sd()));
            qualityEv.append(String.format(Locale.ROOT, "%s %s GRU %.4g vs LSTM %.4g; ", t, metricNames.get(t), mg,
                    ml));
            for (CellKind cell : CELLS) {
                Stats rate = Stats.of(trainRates.get(key(task, cell)));
                Stats lat = Stats.of(latencies.get(key(task, cell)));
                rows.add(List.of(t, cell.id(), shapes.get(key(task, cell)),
                        String.format(Locale.ROOT, "%,d", parameters.get(key(task, cell))),
                        String.format(Locale.ROOT, "%,.0f ± %,.0f", rate.mean(), rate.sd()),
                        String.format(Locale.ROOT, "%.1f ± %.1f", lat.mean(), lat.sd()),
                        String.format(Locale.ROOT, "%s %.4g", metricNames.get(t), metrics.get(key(task, cell)))));
            }
        }
        fig.add("parameters", tx, pr);
        fig.add("training tokens per CPU s", tx, trr, trsd);
        fig.add("runtime µs per step", tx, lr, lrsd);
        fig.add("parity (1)", tx, AddingProblemExperiment.constant(3, 1));
        r.table(new ExperimentReport.Table("Per task and cell (mean ± sd over rounds)", List.of("task", "cell",
                "layers × hidden", "parameters", "training tokens per CPU s", "runtime µs per step", "final metric (card)"), rows));
        r.figure(fig);
        r.result("training_tokens_per_cpu_second", trainRates);
        r.result("runtime_microseconds_per_step", latencies);
        r.result("parameters", parameters);
        r.result("final_metrics", metrics);
        if (sameShape == 0) {
            throw new IllegalStateException("models: no task has an LSTM and a GRU of the same shape; " + shapeNote);
        }
        r.claim(new Claim("GRU has fewer parameters than LSTM (same hidden size)", Verdict.of(fewer, sameShape),
                paramEv.toString() + shapeNote));
        r.claim(new Claim("GRU trains faster than LSTM", Verdict.of(trainsFaster, 3), trainEv + "rounds "
                + b.trainingRounds() + " per cell"));
        r.claim(new Claim("GRU runs faster than LSTM (runtime step latency)", Verdict.of(runsFaster, 3), runEv
                + "rounds " + b.latencyRounds() + " per cell; " + shapeNote));
        r.claim(new Claim("GRU often matches LSTM quality", Verdict.of(matches, 3), qualityEv
                + "one training run (seed 42) per model, from the committed cards; " + shapeNote));
        return r;
    }

    private static double[] ratios(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return r;
    }
}
