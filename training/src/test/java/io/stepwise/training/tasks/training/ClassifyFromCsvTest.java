package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.classify.SequenceClassifier;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.train.ConsoleProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A classifier trained from a CSV of multi-word texts, evaluated through the runtime with its recorded protocol. */
class ClassifyFromCsvTest {
    @TempDir
    Path dir;

    /** Two "topics" of three-word phrases told apart by their vocabulary; quoted, with commas inside. */
    static Path phrases(Path folder) throws Exception {
        String[][] topics = {{"weather", "rain", "sun", "cloud", "wind", "snow"},
            {"sport", "goal", "ball", "team", "match", "score"}};
        Random random = new Random(5);
        StringBuilder sb = new StringBuilder("text,label\n");
        for (int i = 0; i < 120; i++) {
            String[] topic = topics[i % 2];
            sb.append('"').append(topic[1 + random.nextInt(5)]).append(", ").append(topic[1 + random.nextInt(5)])
                    .append(' ').append(topic[1 + random.nextInt(5)]).append(' ').append(i).append("\",")
                    .append(topic[0]).append('\n');
        }
        return Files.writeString(folder.resolve("phrases.csv"), sb, StandardCharsets.UTF_8);
    }

    @Test
    void trainsFromTextLabelRowsAndEvaluatesThroughTheRuntime() throws Exception {
        Path csv = phrases(dir);
        TrainedModel trained = ModelTraining.train(TrainingOptions.builder().setTask(TaskKind.CLASSIFY)
                        .setCell(CellKind.GRU).setOut(dir.resolve("topic.onnx")).optData(csv).optHidden(12)
                        .optEmbedding(8).optEpochs(3).optBatchSize(8).optLearningRate(1e-2f)
                        .optRunDirectory(dir.resolve("run")).optCommandLine("stepwise test").build(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), ConsoleProgress.Mode.OFF);
        assertTrue(trained.metrics().get(ClassifyProtocol.TEST_ACCURACY) > 0.75, trained.metrics().toString());
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            assertEquals(List.of("sport", "weather"), model.info().labels());
            ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
            assertTrue(result.matchesRecorded(), result.toString());
            assertEquals("weather", new SequenceClassifier(model).classify("rain, sun cloud 7").label());
            assertTrue(model.info().baseline().isPresent());
        }
    }
}
