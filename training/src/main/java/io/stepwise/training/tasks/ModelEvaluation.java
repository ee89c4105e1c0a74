package io.stepwise.training.tasks;

import io.stepwise.runtime.BatchResult;
import io.stepwise.runtime.Logits;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.classify.Classification;
import io.stepwise.runtime.classify.SequenceClassifier;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.text.EventVocabulary;
import io.stepwise.training.data.BpttBatches;
import io.stepwise.training.data.CharCorpus;
import io.stepwise.training.data.CharVocabulary;
import io.stepwise.training.data.ConfusionMatrix;
import io.stepwise.training.data.EventSequences;
import io.stepwise.training.data.FeatureSequenceDataset;
import io.stepwise.training.data.Metrics;
import io.stepwise.training.data.WordLanguageDataset;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.tasks.protocol.EventModelProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.LanguageModelProtocol;
import io.stepwise.training.tasks.protocol.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Re-measures an exported model through the runtime ({@link RecurrentModel}, ONNX Runtime) on the held-out data
 * its metadata names, with the protocol its task used during training, and compares the result with the metric
 * recorded at training time.
 *
 * <p>The protocol travels in the model file under {@value #EVALUATION_PROPERTY} (see
 * {@link EvaluationProtocol}); another copy of the same data may be passed instead of the recorded path. The
 * primary metric per task is {@link #primaryMetric}: validation bits per character, test MASE, test accuracy.
 * Training measured it with the DJL network; the export's parity check bounds the difference between the two
 * networks, so the figures must agree within {@value #RELATIVE_TOLERANCE_PERCENT} %.
 *
 * <p>Needs the runtime and the task protocols only, never training code (a test keeps it so).
 */
public final class ModelEvaluation {
    /** Metadata key (without the {@code stepwise.} prefix) of the evaluation protocol. */
    public static final String EVALUATION_KEY = EvaluationProtocol.KEY;
    /** Full metadata key of the evaluation protocol. */
    public static final String EVALUATION_PROPERTY = EvaluationProtocol.PROPERTY;
    /** Largest accepted relative difference between the runtime and the recorded metric, in percent. */
    public static final double RELATIVE_TOLERANCE_PERCENT = 1.0;

    private ModelEvaluation() {
    }

    /**
     * The outcome of one evaluation.
     *
     * @param task     the model's task
     * @param metric   the primary metric's name
     * @param measured its value through the runtime
     * @param recorded the value recorded in the model at training time (NaN when the model has none)
     * @param metrics  every metric measured through the runtime
     */
    public record Result(TaskKind task, String metric, double measured, double recorded, Map<String, Double> metrics) {
        public Result {
            metrics = Map.copyOf(metrics);
        }

        /** |measured − recorded| / |recorded|, in percent; NaN when nothing was recorded. */
        public double relativeDifferencePercent() {
            return Math.abs(measured - recorded) / Math.abs(recorded) * 100;
        }

        /** Whether a metric was recorded and the measured one is within {@value #RELATIVE_TOLERANCE_PERCENT} %. */
        public boolean matchesRecorded() {
            return relativeDifferencePercent() <= RELATIVE_TOLERANCE_PERCENT;
        }
    }

    /** The metric {@code evaluate} and {@code verify} compare for models of {@code task}. */
    public static String primaryMetric(TaskKind task) {
        return switch (task) {
            case LANGUAGE_MODEL -> LanguageModelProtocol.VAL_BPC;
            case FORECAST -> ForecastProtocol.TEST_MASE;
            case CLASSIFY -> ClassifyProtocol.TEST_ACCURACY;
            case EVENT_MODEL -> EventModelProtocol.VAL_BITS;
        };
    }

    /** The task that made {@code info}'s model (an event model is a language model over events). */
    public static TaskKind taskOf(ModelInfo info) {
        return TaskKind.ofModel(info.task().wireName(), info.tokenUnit().wireName());
    }

    /** Whether a larger value of {@code metric} is better. */
    public static boolean higherIsBetter(String metric) {
        return metric.contains("accuracy") || metric.contains("f1");
    }

    /**
     * Evaluates {@code model} on the held-out data of its protocol.
     *
     * @param data another copy of the data (file or folder), or null to use the path recorded in the model
     * @throws IllegalArgumentException when the model has no evaluation protocol, or the data cannot be read or
     *                                  does not fit the model ({@link InvalidSettingException} naming
     *                                  {@link Setting#DATA} when the recorded data is not here)
     */
    public static Result evaluate(RecurrentModel model, Path data) {
        Objects.requireNonNull(model, "model");
        ModelInfo info = model.info();
        TaskKind task = taskOf(info);
        Map<String, Object> protocol = protocol(info, model.source());
        Map<String, Double> metrics = switch (task) {
            case LANGUAGE_MODEL -> {
                LanguageModelProtocol.Protocol p = LanguageModelProtocol.Protocol.from(protocol);
                Path file = data != null ? data : p.isEuroparl() ? null : recorded(p.data(), model.source());
                yield Map.of(LanguageModelProtocol.VAL_BPC,
                        bitsPerCharacter(model, LanguageModelProtocol.corpus(p, file), p.streams(), p.bptt()));
            }
            case FORECAST -> {
                ForecastProtocol.Protocol p = ForecastProtocol.Protocol.from(protocol);
                Path file = data != null ? data : recorded(p.data(), model.source());
                ForecastProtocol.Panel panel = ForecastProtocol.loadPanel(file, p.columns());
                Forecaster forecaster = new Forecaster(model);
                List<Map<String, Double>> perSeries = new ArrayList<>();
                for (int i = 0; i < panel.series().size(); i++) {
                    ForecastProtocol.Series series = ForecastProtocol.prepare(panel.series().get(i), p.window(),
                            p.validationLength(), p.testLength(), p.season(), p.horizon(), 1.0);
                    perSeries.add(forecastMetrics(panel.isGlobal() ? forecaster.forSeries(panel.keys().get(i))
                            : forecaster, series, p.window(), p.horizon()));
                }
                yield mean(perSeries);
            }
            case CLASSIFY -> {
                ClassifyProtocol.Protocol p = ClassifyProtocol.Protocol.from(protocol);
                Path folder = data != null ? data : recorded(p.data(), model.source());
                yield info.isTokenInput() ? classifierMetrics(model, ClassifyProtocol.dataset(folder, p))
                        : featureClassifierMetrics(model, ClassifyProtocol.featureDataset(folder, p));
            }
            case EVENT_MODEL -> {
                EventModelProtocol.Protocol p = EventModelProtocol.Protocol.from(protocol);
                Path file = data != null ? data : recorded(p.data(), model.source());
                yield Map.of(EventModelProtocol.VAL_BITS, bitsPerEvent(model, EventModelProtocol.sequences(file, p),
                        p.streams(), p.bptt()));
            }
        };
        String metric = primaryMetric(task);
        Double recorded = info.metrics().get(metric);
        return new Result(task, metric, metrics.get(metric), recorded == null ? Double.NaN : recorded, metrics);
    }

    /** The evaluation protocol stored in the model. */
    static Map<String, Object> protocol(ModelInfo info, String source) {
        return EvaluationProtocol.parse(info.metadata().get(EVALUATION_PROPERTY), source);
    }

    /** The recorded data path, found against the working folder or the Stepwise folder. */
    private static Path recorded(String data, String model) {
        Path path = DefaultPaths.resolve(Path.of(data));
        if (!Files.exists(path)) {
            throw new InvalidSettingException(Setting.DATA, names -> "the data recorded in " + model + " (" + path
                    + ") does not exist here; pass " + names.apply(Setting.DATA) + " with its location");
        }
        return path;
    }

    /**
     * Bits per character of a language model on the validation tail of {@code corpus}, run through the runtime in
     * {@code streams} contiguous streams and windows of {@code bptt} characters with the state carried;
     * characters are re-encoded with the model's own vocabulary.
     */
    static double bitsPerCharacter(RecurrentModel model, CharCorpus corpus, int streams, int bptt) {
        String text = corpus.vocabulary().decode(corpus.validationIds());
        return bitsPerToken(model, CharVocabulary.fromTokens(model.info().vocabulary()).encode(text), streams, bptt);
    }

    /**
     * Bits per event of a next-event model on the held-out sequences, events re-encoded with the model's own
     * vocabulary ({@link EventVocabulary}).
     */
    static double bitsPerEvent(RecurrentModel model, EventSequences sequences, int streams, int bptt) {
        EventVocabulary events = EventVocabulary.forModel(model.info());
        int[] ids = sequences.validationIds();
        for (int i = 0; i < ids.length; i++) {
            ids[i] = events.id(sequences.vocabulary().get(ids[i]));
        }
        return bitsPerToken(model, ids, streams, bptt);
    }

    /** Bits per token over the stream {@code ids}, in {@code streams} contiguous streams, windows of {@code bptt}. */
    private static double bitsPerToken(RecurrentModel model, int[] ids, int streams, int bptt) {
        boolean lstm = model.info().hasCellState();
        double nats = 0;
        long count = 0;
        float[] h = null;
        float[] c = null;
        for (BpttBatches.Window w : new BpttBatches(ids, streams, bptt)) {
            long[][] tokens = new long[w.inputs().length][];
            for (int b = 0; b < tokens.length; b++) {
                tokens[b] = Arrays.stream(w.inputs()[b]).asLongStream().toArray();
            }
            BatchResult result = model.forward(tokens, h, c);
            h = result.hn();
            c = lstm ? result.cn() : null;
            for (int b = 0; b < tokens.length; b++) {
                for (int t = 0; t < w.length(); t++) {
                    nats -= Logits.logSoftmax(result.outputAt(b, t))[w.targets()[b][t]];
                    count++;
                }
            }
        }
        return Metrics.bitsPerChar(nats / count);
    }

    /** Rolling-origin metrics of a forecaster over the test tail, through the runtime's {@link Forecaster}. */
    static Map<String, Double> forecastMetrics(RecurrentModel model, ForecastProtocol.Series data, int window,
                                               int horizon) {
        return forecastMetrics(new Forecaster(model), data, window, horizon);
    }

    /** The metrics of several series averaged (a global forecaster's, as training records them); one: its own. */
    private static Map<String, Double> mean(List<Map<String, Double>> perSeries) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map<String, Double> m : perSeries) {
            m.forEach((k, v) -> out.merge(k, v / perSeries.size(), Double::sum));
        }
        return out;
    }

    private static Map<String, Double> forecastMetrics(Forecaster forecaster, ForecastProtocol.Series data,
                                                       int window, int horizon) {
        int[] origins = ForecastProtocol.testOrigins(data, horizon);
        double[][][] forecasts = new double[origins.length][][];
        for (int i = 0; i < origins.length; i++) {
            double[][] history = Arrays.copyOfRange(data.values(), origins[i] - window, origins[i]);
            List<String> known = forecaster.knownFeatures();
            if (known.isEmpty()) {
                forecasts[i] = forecaster.forecast(history, horizon).values();
            } else {
                // Covariates known in advance: their actual values over the horizon, as training scored them.
                double[][] future = new double[horizon][known.size()];
                for (int h = 0; h < horizon; h++) {
                    for (int k = 0; k < known.size(); k++) {
                        future[h][k] = data.values()[origins[i] + h][forecaster.featureNames().indexOf(known.get(k))];
                    }
                }
                forecasts[i] = forecaster.forecast(history, future).values();
            }
        }
        return ForecastProtocol.testMetrics(ForecastProtocol.score(data, origins, forecasts));
    }

    /**
     * Test accuracy and macro F1 of a feature-sequence classifier through the runtime ({@link RecurrentModel#forward}
     * per recording; the dataset's steps are already standardized with the training statistics the model records).
     */
    static Map<String, Double> featureClassifierMetrics(RecurrentModel model, FeatureSequenceDataset dataset) {
        FeatureSequenceDataset.Examples test = dataset.split(FeatureSequenceDataset.Split.TEST);
        List<String> labels = model.info().labels();
        int[] predicted = new int[test.size()];
        for (int i = 0; i < predicted.length; i++) {
            float[] logits = model.forward(new float[][][] {test.steps()[i]}).outputAt(0);
            int best = 0;
            for (int c = 1; c < logits.length; c++) {
                best = logits[c] > logits[best] ? c : best;
            }
            predicted[i] = dataset.labels().indexOf(labels.get(best));
        }
        return ClassifyProtocol.testMetrics(ConfusionMatrix.of(dataset.labels(), test.labels(), predicted));
    }

    /** Test accuracy and macro F1 of a classifier through the runtime's {@link SequenceClassifier}. */
    static Map<String, Double> classifierMetrics(RecurrentModel model, WordLanguageDataset dataset) {
        SequenceClassifier classifier = new SequenceClassifier(model);
        WordLanguageDataset.Examples test = dataset.test();
        List<Classification> results = classifier.classifyAll(Arrays.asList(test.words()));
        List<String> labels = dataset.labels();
        int[] predicted = new int[results.size()];
        for (int i = 0; i < predicted.length; i++) {
            predicted[i] = labels.indexOf(results.get(i).label());
        }
        return ClassifyProtocol.testMetrics(ConfusionMatrix.of(labels, test.labels(), predicted));
    }
}
