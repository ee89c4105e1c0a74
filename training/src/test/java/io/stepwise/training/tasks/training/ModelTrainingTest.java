package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.export.ModelExporter;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.TinyData;
import io.stepwise.training.tasks.evaluation.BaselineVerdict;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.LanguageModelProtocol;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.ConsoleProgress;
import io.stepwise.training.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTrainingTest {
    @TempDir
    Path dir;

    private static TrainedModel train(TrainingOptions options) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        return ModelTraining.train(options, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                ConsoleProgress.Mode.OFF);
    }

    private static void assertExportedAndReproducible(TrainedModel trained, String primary) {
        assertTrue(trained.parity().maxAbsDiff() <= ModelExporter.DEFAULT_TOLERANCE, trained.parity().toString());
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            ModelInfo info = model.info();
            assertEquals(trained.metrics().get(primary), info.metrics().get(primary));
            assertTrue(info.parity().isPresent());
            assertTrue(info.training().get("command").toString().contains("test"));
            ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
            assertEquals(primary, result.metric());
            assertTrue(result.matchesRecorded(), "runtime " + result.measured() + " vs recorded " + result.recorded());
            // One verdict against the baseline, recorded in the file, shown by inspect and the card.
            ModelInfo.Baseline baseline = info.baseline().orElseThrow();
            BaselineVerdict verdict = BaselineVerdict.fromMetrics(trained.metrics()).orElseThrow();
            assertEquals(primary, baseline.metric());
            assertEquals(verdict.outcome().id(), baseline.outcome());
            assertEquals(verdict.sentence(), baseline.verdict());
            assertTrue(info.toString().contains(verdict.sentence()), info.toString());
            try {
                assertTrue(Files.readString(trained.card()).contains("**Verdict: the model " + verdict.sentence()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertTrue(Files.isRegularFile(trained.card()));
        assertTrue(Files.isRegularFile(trained.runDirectory().resolve("loss.png")));
        assertTrue(Files.isRegularFile(trained.runDirectory().resolve(Trainer.METRICS_FILE)));
    }

    @Test
    void languageModelTrainsExportsAndEvaluatesThroughTheRuntime() throws Exception {
        Path text = TinyData.text(dir);
        TrainedModel trained = train(TrainingOptions.builder().setTask(TaskKind.LANGUAGE_MODEL)
                .setCell(CellKind.LSTM).setOut(dir.resolve("lm.onnx")).optData(text).optHidden(16).optEmbedding(8)
                .optBatchSize(4).optBptt(20).optEpochs(2).optLearningRate(1e-2f)
                .optRunDirectory(dir.resolve("run-lm")).optCommandLine("stepwise test").build());
        assertExportedAndReproducible(trained, LanguageModelProtocol.VAL_BPC);
        double bpc = trained.metrics().get(LanguageModelProtocol.VAL_BPC);
        // Uniform guessing over the ~20 characters costs log2(20) ≈ 4.3 bits; two epochs must do better.
        assertTrue(bpc < 4.0, "val_bpc " + bpc);
        assertTrue(trained.metrics().get(LanguageModelProtocol.BASELINE_BPC) > 0);
        assertEquals(2, trained.history().size());
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            assertEquals(0, model.info().unknownToken().getAsInt());
            assertEquals(model.info().inputSize(), model.info().vocabulary().size());
        }
    }

    @Test
    void forecasterRecordsScalingAndBeatsNothingByAccident() throws Exception {
        Path csv = TinyData.series(dir);
        TrainedModel trained = train(TrainingOptions.builder().setTask(TaskKind.FORECAST).setCell(CellKind.GRU)
                .setOut(dir.resolve("fc.onnx")).optData(csv).optHidden(8).optEpochs(2).optWindow(24).optHorizon(6)
                .optSeason(12).optValidationLength(36).optTestLength(36).optRunDirectory(dir.resolve("run-fc"))
                .optCommandLine("stepwise test").build());
        assertExportedAndReproducible(trained, ForecastProtocol.TEST_MASE);
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            ModelInfo info = model.info();
            assertTrue(info.scaling().isPresent());
            assertEquals(java.util.List.of("level"), info.featureNames());
            assertEquals(6, ((Number) info.forecast().get("horizon")).intValue());
            assertEquals(24, ((Number) info.forecast().get("window")).intValue());
        }
        assertTrue(trained.metrics().get(ForecastProtocol.BASELINE_MASE) > 0);
        // Origins testStart .. n − horizon: 36 − 6 + 1.
        assertEquals(31.0, trained.metrics().get("test_origins"));
        assertTrue(Files.isRegularFile(trained.runDirectory().resolve("forecast.png")));
    }

    @Test
    void classifierReportsAccuracyAgainstNaiveBayes() throws Exception {
        Path words = TinyData.words(dir);
        TrainedModel trained = train(TrainingOptions.builder().setTask(TaskKind.CLASSIFY).setCell(CellKind.RNN_TANH)
                .setOut(dir.resolve("id.onnx")).optData(words).optHidden(16).optEmbedding(8).optEpochs(3)
                .optBatchSize(16).optLearningRate(1e-2f).optRunDirectory(dir.resolve("run-id"))
                .optCommandLine("stepwise test").build());
        assertExportedAndReproducible(trained, ClassifyProtocol.TEST_ACCURACY);
        // Three classes with distinct alphabets: far better than the 1/3 of guessing.
        assertTrue(trained.metrics().get(ClassifyProtocol.TEST_ACCURACY) > 0.6, trained.metrics().toString());
        assertTrue(trained.metrics().get(ClassifyProtocol.BASELINE_ACCURACY) > 0.6);
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            assertEquals(java.util.List.of("alpha", "beta", "gamma"), model.info().labels());
            assertTrue(model.info().bidirectional());
        }
        assertTrue(Files.isRegularFile(trained.runDirectory().resolve("confusion.png")));
    }

    @Test
    void timeLimitStopsBetweenEpochsAndResumeFinishesTheRun() throws Exception {
        Path words = TinyData.words(dir);
        TrainingOptions.Builder options = TrainingOptions.builder().setTask(TaskKind.CLASSIFY).setCell(CellKind.GRU)
                .setOut(dir.resolve("limited.onnx")).optData(words).optHidden(8).optEmbedding(4).optEpochs(3)
                .optBatchSize(32).optMaxMinutes(1e-6).optRunDirectory(dir.resolve("run-limited"));
        TrainedModel first = train(options.build());
        assertTrue(first.timeLimited());
        assertEquals(1, first.history().size());
        assertTrue(Files.isRegularFile(first.model()));

        TrainedModel second = train(options.optResume(true).build());
        assertEquals(2, second.history().size());
        TrainedModel third = train(options.optResume(true).build());
        assertEquals(3, third.history().size());
        assertFalse(third.timeLimited());
    }

    @Test
    void refusesToOverwriteARunWithoutResumeAndKeepsTheEarlierModel() throws Exception {
        Path words = TinyData.words(dir);
        TrainingOptions options = TrainingOptions.builder().setTask(TaskKind.CLASSIFY).setCell(CellKind.GRU)
                .setOut(dir.resolve("keep.onnx")).optData(words).optHidden(8).optEmbedding(4).optEpochs(1)
                .optRunDirectory(dir.resolve("run-keep")).build();
        train(options);
        byte[] model = Files.readAllBytes(dir.resolve("keep.onnx"));
        byte[] checkpoint = Files.readAllBytes(dir.resolve("run-keep").resolve(Trainer.CHECKPOINT_FILE));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> train(options));
        assertEquals(Setting.RUN_DIRECTORY, e.setting());
        assertTrue(e.getMessage().startsWith("runDirectory:") && e.getMessage().contains("pass resume"),
                e.getMessage());

        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.write(bad.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        TrainingOptions broken = TrainingOptions.builder().setTask(TaskKind.CLASSIFY).setCell(CellKind.GRU)
                .setOut(dir.resolve("keep.onnx")).optData(bad).optRunDirectory(dir.resolve("run-other")).build();
        assertThrows(IllegalArgumentException.class, () -> train(broken));
        assertTrue(java.util.Arrays.equals(model, Files.readAllBytes(dir.resolve("keep.onnx"))));
        assertTrue(java.util.Arrays.equals(checkpoint,
                Files.readAllBytes(dir.resolve("run-keep").resolve(Trainer.CHECKPOINT_FILE))));
    }
}
