package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.data.FeatureSequenceDataset;
import io.stepwise.training.data.GaussianNaiveBayes;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.ConsoleProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classification of recordings of numeric feature vectors, from the long-format CSV to the runtime. */
class FeatureClassifyTaskTest {
    @TempDir
    Path dir;

    /** Recordings of 5–12 steps of two sensors: rising, falling or flat, with noise. */
    static Path recordings(Path folder, int perLabel) throws Exception {
        Random random = new Random(13);
        StringBuilder sb = new StringBuilder("sequence,label,level,noise\n");
        String[] labels = {"rising", "falling", "flat"};
        for (int r = 0; r < 3 * perLabel; r++) {
            String label = labels[r % 3];
            double slope = label.equals("rising") ? 1 : label.equals("falling") ? -1 : 0;
            int length = 5 + random.nextInt(8);
            double start = random.nextGaussian() * 2;
            for (int t = 0; t < length; t++) {
                sb.append(String.format(Locale.ROOT, "rec-%03d,%s,%.3f,%.3f%n", r, label,
                        start + slope * t + 0.3 * random.nextGaussian(), random.nextGaussian()));
            }
        }
        return Files.writeString(folder.resolve("recordings.csv"), sb, StandardCharsets.UTF_8);
    }

    @Test
    void readsTheLongFormatAndNamesBadCells() throws Exception {
        Path csv = Files.writeString(dir.resolve("r.csv"), "sequence,label,x\na,up,1\na,up,2\nb,down,2\nb,down,1\n"
                + "c,up,0\nc,up,5\nd,down,3\nd,down,0\n");
        assertTrue(ClassifyProtocol.isFeatureSequences(csv));
        FeatureSequenceDataset d = FeatureSequenceDataset.read(csv, 1, 0, 0);
        assertEquals(List.of("down", "up"), d.labels());
        assertEquals(List.of("x"), d.features());
        assertEquals(4, d.split(FeatureSequenceDataset.Split.TRAIN).size());
        assertArrayEquals(new double[] {1.75}, d.mean(), 1e-9);

        assertError("sequence,label,x\na,up,1\na,down,2\nb,down,1\n", "line 3, column 'label': recording 'a' changes "
                + "its label from 'up' to 'down'");
        assertError("sequence,label,x\na,up,1\nb,down,1\na,up,1\n", "line 4, column 'sequence': recording 'a' appears"
                + " again after other recordings");
        assertError("sequence,label,x\na,up,one\n", "line 2, column 'x': expected a finite number but got 'one'");
        assertError("id,label,x\na,up,1\n", "line 1: expected a header with a 'sequence' column");
        Path text = Files.writeString(dir.resolve("t.csv"), "text,label\nhello,en\n");
        assertTrue(!ClassifyProtocol.isFeatureSequences(text));
    }

    private void assertError(String content, String message) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.csv"), content);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSequenceDataset.read(file, 1, 0, 0));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void tokenDropoutIsRefusedForFeatureVectors() throws Exception {
        Path csv = recordings(dir, 4);
        TrainingOptions options = TrainingOptions.builder().setTask(TaskKind.CLASSIFY).setCell(CellKind.GRU)
                .setOut(dir.resolve("m.onnx")).optData(csv).optTokenDropout(0.1f).build();
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ModelTraining.createTask(options));
        assertEquals(Setting.TOKEN_DROPOUT, e.setting());
        assertEquals("tokenDropout: applies to text, not to sequences of feature vectors (" + csv + "); use 0",
                e.getMessage());
    }

    @Test
    void gaussianNaiveBayesSeparatesEasySummaries() {
        float[][][] x = {{{0}, {1}, {2}}, {{0}, {1}, {2}, {3}}, {{2}, {1}, {0}}, {{3}, {2}, {1}, {0}}};
        int[] y = {0, 0, 1, 1};
        assertArrayEquals(y, GaussianNaiveBayes.train(x, y, 2).predict(x));
    }

    @Test
    void trainsOnRecordingsAndEvaluatesThroughTheRuntime() throws Exception {
        Path csv = recordings(dir, 30);
        TrainedModel trained = ModelTraining.train(TrainingOptions.builder().setTask(TaskKind.CLASSIFY)
                        .setCell(CellKind.GRU).setOut(dir.resolve("motion.onnx")).optData(csv).optHidden(8)
                        .optEpochs(6).optBatchSize(8).optLearningRate(2e-2f).optRunDirectory(dir.resolve("run"))
                        .optCommandLine("stepwise test").build(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), ConsoleProgress.Mode.OFF);
        assertTrue(trained.metrics().get(ClassifyProtocol.TEST_ACCURACY) >= 0.8, trained.metrics().toString());
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            ModelInfo info = model.info();
            assertEquals(List.of("falling", "flat", "rising"), info.labels());
            assertEquals(List.of("level", "noise"), info.featureNames());
            assertTrue(info.scaling().isPresent() && !info.isTokenInput());
            ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
            assertTrue(result.matchesRecorded(), result.toString());
            assertTrue(info.baseline().isPresent());
        }
        assertTrue(Files.isRegularFile(trained.runDirectory().resolve("confusion.png")));
    }
}
