package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.training.data.CharCorpus;
import io.stepwise.training.data.CharVocabulary;
import io.stepwise.training.data.EuroparlText;
import io.stepwise.training.data.KneserNeyModel;
import io.stepwise.training.data.Plots;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.tasks.protocol.LanguageModelProtocol;
import io.stepwise.training.train.CarriedState;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TaskContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Character language model: predicts the next character of a UTF-8 text (default: the English Europarl sample,
 * {@link EuroparlText}).
 *
 * <h2>Training</h2>
 * The training part of the {@link CharCorpus} (its first 90 %) is read as {@link TokenStreamTask} describes: cut
 * into {@code batchSize} parallel streams and read in windows of {@code bptt} characters; the recurrent state is
 * carried from one window to the next with its gradient cut ({@link CarriedState}: truncated back-propagation through time) and reset at
 * every epoch start. Each epoch starts the streams at a random offset below {@code bptt}, so window boundaries
 * move between epochs. Gradients are clipped by the trainer (global L2 norm 5).
 *
 * <h2>Evaluation protocol</h2>
 * {@link LanguageModelProtocol}: validation bits per character over the held-out tail (last 10 %), measured here
 * with the DJL network after every epoch (the monitor) and for the final metrics;
 * {@link io.stepwise.training.tasks.ModelEvaluation} repeats it through the runtime. The baseline is an
 * interpolated Kneser–Ney n-gram model ({@link KneserNeyModel}) fitted on the same training part and scored on
 * the same tail (one stream).
 */
public final class LanguageModelTask extends TokenStreamTask {
    private final TrainingOptions options;
    private final CharCorpus corpus;

    /** Loads the corpus named by the options (or the Europarl default) and prepares the task. */
    public LanguageModelTask(TrainingOptions options) {
        this(options, LanguageModelProtocol.corpus(options.data(), options.maxChars()));
    }

    private LanguageModelTask(TrainingOptions options, CharCorpus corpus) {
        super(options, corpus.trainIds(), corpus.validationIds(), corpus.vocabulary().size(), corpus.sourceName(),
                "characters");
        this.options = options;
        this.corpus = corpus;
        LanguageModelProtocol.requireValidationStreams(corpus);
    }

    public CharCorpus corpus() {
        return corpus;
    }

    @Override
    int evalStreams() {
        return LanguageModelProtocol.EVAL_STREAMS;
    }

    @Override
    int evalBptt() {
        return LanguageModelProtocol.EVAL_BPTT;
    }

    @Override
    int baselineOrder() {
        return LanguageModelProtocol.BASELINE_ORDER;
    }

    @Override
    public String monitor() {
        return LanguageModelProtocol.VAL_BPC;
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(LanguageModelProtocol.VAL_BPC, validationBits(context.manager(), context.parameterStore()));
    }

    /** Bits per character of the Kneser–Ney baseline on the validation tail (computed once). */
    public double baselineBpc() {
        return baselineBits();
    }

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(LanguageModelProtocol.VAL_BPC, validationBits(manager, new ParameterStore(manager, false)));
        m.put(LanguageModelProtocol.BASELINE_BPC, baselineBpc());
        return m;
    }

    @Override
    public void describeModel(ModelMetadata.Builder metadata) {
        metadata.optVocabulary(corpus.vocabulary().tokens()).optUnknownToken(CharVocabulary.UNKNOWN_ID);
        metadata.optProperty(EvaluationProtocol.KEY, EvaluationProtocol.toJson(
                LanguageModelProtocol.Protocol.of(options.data(), options.maxChars(), corpus).toMap()));
    }

    @Override
    public Map<String, Object> describeData() {
        Map<String, Object> m = corpus.describe();
        m.put("validation_unknown_chars", corpus.validationUnknownCount());
        return m;
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        double[] train = history.stream().mapToDouble(r -> toBits(r.trainLoss())).toArray();
        Plots.lossCurves(runDirectory.resolve("loss.png"), "Character LM (" + options.cell().id() + ")",
                "bits per character", train, series(history, LanguageModelProtocol.VAL_BPC));
    }
}
