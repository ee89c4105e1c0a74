package io.stepwise.training.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import io.stepwise.training.cli.StepwiseCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelComparisonTest {
    @TempDir
    Path dir;

    /** A tiny classifier file whose metrics say what the test needs (the weights do not matter here). */
    static Path classifier(Path folder, String name, double accuracy) throws Exception {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(2).setTokenInput(3, 2)
                .setOutputSize(2).optHead(HeadKind.FINAL_STATE).build();
        NetworkWeights.Builder w = NetworkWeights.builder(spec).setEmbedding(new float[6]);
        w.setLayer(0, 0, new LayerWeights(new float[12], new float[12], new float[6], new float[6]));
        w.setHead(new float[4], new float[2]);
        ModelMetadata metadata = ModelMetadata.builder().setTask(Task.CLASSIFIER).optVocabulary(List.of("?", "a", "b"))
                .optLabels(List.of("x", "y")).optMetrics(Map.of("test_accuracy", accuracy, "test_macro_f1", accuracy,
                        "baseline_naive_bayes_accuracy", 0.8, "training_seconds", 10.0)).build();
        Path file = Files.createDirectories(folder).resolve(name + ".onnx");
        OnnxExporter.builder().build().write(spec, w.build(), metadata, file);
        Files.writeString(folder.resolve(name + ".md"), "# " + name + " " + accuracy + "\n");
        return file;
    }

    @Test
    void comparesEveryMetricInItsOwnDirection() throws Exception {
        Path committed = classifier(dir.resolve("models"), "langid-gru", 0.86);
        Path better = classifier(dir.resolve("build"), "langid-gru", 0.91);
        ModelComparison.Result r = ModelComparison.compare(better, committed);
        assertEquals("test_accuracy", r.primary());
        assertTrue(r.primaryChange().better() && r.improves());
        assertEquals("", r.changes().stream().filter(c -> c.metric().equals("training_seconds")).findFirst()
                .orElseThrow().judgement(), "timings are shown, not judged");
        String report = ModelComparison.render(List.of(r), "models");
        assertTrue(report.contains("| langid-gru | test_accuracy | 0.8600 | 0.9100 | +0.0500 (+5.8 %) | **better**"),
                report);
        ModelComparison.Result worse = ModelComparison.compare(committed, better);
        assertTrue(worse.primaryChange().worse() && !worse.improves());
        assertTrue(ModelComparison.compare(better, dir.resolve("absent.onnx")).improves(), "a new model");
        assertEquals(-1, ModelComparison.direction("val_bpc"));
        assertEquals(-1, ModelComparison.direction("test_mase"));
        assertEquals(0, ModelComparison.direction("baseline_snaive_mase"));
    }

    @Test
    void promoteCopiesOnlyTheBetterModelsAndTheirCards() throws Exception {
        Path models = dir.resolve("models");
        Path build = dir.resolve("build");
        classifier(models, "langid-gru", 0.86);
        classifier(models, "langid-rnn", 0.84);
        classifier(build, "langid-gru", 0.91);
        classifier(build, "langid-rnn", 0.80);
        StringWriter out = new StringWriter();
        int code = StepwiseCli.execute(new String[] {"models", "--promote", build.toString(), "--out",
            models.toString()}, new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("langid-gru: test_accuracy 0.8600 → 0.9100: promoted"), out.toString());
        assertTrue(out.toString().contains("langid-rnn: test_accuracy 0.8400 → 0.8000: kept the committed model (the new "
                + "one is worse)"), out.toString());
        assertEquals("# langid-gru 0.91\n", Files.readString(models.resolve("langid-gru.md")));
        assertEquals("# langid-rnn 0.84\n", Files.readString(models.resolve("langid-rnn.md")));
        assertTrue(Files.readString(models.resolve("README.md")).contains("langid-gru"));
        assertFalse(ModelComparison.compare(build.resolve("langid-rnn.onnx"), models.resolve("langid-rnn.onnx"))
                .improves());
    }
}
