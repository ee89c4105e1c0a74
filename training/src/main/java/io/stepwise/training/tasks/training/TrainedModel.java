package io.stepwise.training.tasks.training;

import io.stepwise.training.export.ParityReport;
import io.stepwise.training.train.EpochRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one {@link ModelTraining#train} run.
 *
 * @param options         the settings it ran with
 * @param model           the exported model file
 * @param card            its model card (Markdown)
 * @param runDirectory    checkpoints, metrics.json and plots
 * @param metrics         final metrics of the best epoch's weights, as recorded in the model
 * @param parity          the export's parity figure
 * @param history         every epoch trained (including those before a resume)
 * @param bestEpoch       0-based epoch whose weights were exported
 * @param timeLimited     whether {@code --max-minutes} ended training before {@code --epochs}
 * @param trainingSeconds wall time of this invocation's training (excluding export)
 */
public record TrainedModel(TrainingOptions options, Path model, Path card, Path runDirectory,
                           Map<String, Double> metrics, ParityReport parity, List<EpochRecord> history,
                           int bestEpoch, boolean timeLimited, double trainingSeconds) {
    public TrainedModel {
        metrics = Map.copyOf(metrics);
        history = List.copyOf(history);
    }
}
