package io.stepwise.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stepwise train} refuses sizes PyTorch or the heap cannot survive with one line naming the option. */
class TrainCommandLimitsTest {
    @TempDir
    Path dir;

    private static String error(String... args) {
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        int code = StepwiseCli.execute(all.toArray(String[]::new), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(StepwiseCli.BAD_INPUT, code, err.toString());
        String line = err.toString().strip();
        assertTrue(line.startsWith("stepwise: error: ") && !line.contains("\n"), line);
        return line.substring("stepwise: error: ".length());
    }

    @Test
    void layersHiddenEmbeddingAndWindowHaveLimits() {
        assertEquals("--layers: expected at most 16 but got 300", error("--task", "classify", "--cell", "gru",
                "--out", dir.resolve("m.onnx").toString(), "--layers", "300"));
        assertEquals("--embedding: expected at most 4,096 but got 5,000", error("--task", "language-model",
                "--cell", "gru", "--out", dir.resolve("m.onnx").toString(), "--embedding", "5000"));
        assertEquals("--window: expected at most 10,000 steps but got 20,000", error("--task", "forecast",
                "--cell", "gru", "--out", dir.resolve("m.onnx").toString(), "--window", "20000"));
        String total = error("--task", "language-model", "--cell", "lstm", "--out", dir.resolve("m.onnx").toString(),
                "--layers", "12", "--hidden", "2048");
        assertTrue(total.startsWith("--hidden: 2048 with --layers 12 (lstm) makes "), total);
    }

    @Test
    void aFolderOrAnOversizedSeriesIsOneLineNamingTheFile() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("data"));
        assertEquals("--data: " + folder + " is a folder; expected a CSV file of a time series", error("--task",
                "forecast", "--cell", "gru", "--out", dir.resolve("m.onnx").toString(), "--data", folder.toString()));
        assertEquals("--data: " + folder + " is a folder; expected a UTF-8 text file", error("--task",
                "language-model", "--cell", "gru", "--out", dir.resolve("m.onnx").toString(), "--data",
                folder.toString()));
        StringBuilder sb = new StringBuilder("t,v\n");
        for (int i = 0; i < 200_000; i++) {
            sb.append(i).append(",1\n");
        }
        Path csv = Files.writeString(dir.resolve("big.csv"), sb);
        String m = error("--task", "forecast", "--cell", "gru", "--out", dir.resolve("m.onnx").toString(), "--data",
                csv.toString(), "--target", "v", "--window", "104");
        assertEquals("--data: " + csv + " has more than 96,153 rows; with --window 104 the limit is 96,153 rows "
                + "(rows × window ≤ 10,000,000: the training windows are held in memory)", m);
    }
}
