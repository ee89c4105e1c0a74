package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLimitsTest {
    @TempDir
    Path dir;

    private static TrainingOptions.Builder base(TaskKind task) {
        return TrainingOptions.builder().setTask(task).setCell(CellKind.LSTM).setOut(Path.of("m.onnx"));
    }

    private static InvalidSettingException refused(Setting setting, org.junit.jupiter.api.function.Executable run) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, run);
        assertEquals(setting, e.setting(), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void hyperparametersThatPyTorchCannotSurviveAreRefusedByName() {
        assertEquals("layers: expected at most 16 but got 300",
                refused(Setting.LAYERS, () -> base(TaskKind.CLASSIFY).optLayers(300).build()).getMessage());
        assertEquals("embedding: expected at most 4,096 but got 100,000",
                refused(Setting.EMBEDDING, () -> base(TaskKind.CLASSIFY).optEmbedding(100_000).build()).getMessage());
        assertEquals("window: expected at most 10,000 steps but got 1,000,000", refused(Setting.WINDOW,
                () -> base(TaskKind.FORECAST).optWindow(1_000_000).build()).getMessage());
        refused(Setting.BPTT, () -> base(TaskKind.LANGUAGE_MODEL).optBptt(50_000).build());
        refused(Setting.SEASON, () -> base(TaskKind.FORECAST).optSeason(20_000).build());
        refused(Setting.EPOCHS, () -> base(TaskKind.CLASSIFY).optEpochs(Integer.MAX_VALUE).build());
        refused(Setting.BATCH_SIZE, () -> base(TaskKind.CLASSIFY).optBatchSize(1 << 20).build());
        // Each within its own limit, together far too large: 16 bidirectional LSTM layers of 4096.
        String total = refused(Setting.HIDDEN, () -> base(TaskKind.CLASSIFY).optLayers(16).optHidden(4096).build())
                .getMessage();
        assertTrue(total.startsWith("hidden: 4096 with layers 16 (lstm, bidirectional) makes ") && total.endsWith(
                "recurrent parameters; the limit is 50,000,000"), total);
        // The defaults and the default models' settings are well inside.
        for (TaskKind task : TaskKind.values()) {
            base(task).build();
        }
    }

    @Test
    void parameterCountFollowsTheCell() {
        TrainingOptions gru = base(TaskKind.LANGUAGE_MODEL).optHidden(10).optEmbedding(4).optLayers(2).build();
        TrainingOptions g = new TrainingOptions(gru.task(), CellKind.GRU, 2, 10, 4, 0f, false, 1, 1, 2, 0.1f, 1, 0, 0,
                null, 1000, 2, 1, 1, 1, 1, 1, Path.of("g.onnx"), null, false, "", null, 1, null, 0f, 0f, 0f);
        // Layer 0: 3 × 10 × (4 + 10 + 2); layer 1: 3 × 10 × (10 + 10 + 2).
        assertEquals(3 * 10 * 16 + 3 * 10 * 22, TrainingLimits.recurrentParameters(g));
        assertEquals(4 * 10 * 16 + 4 * 10 * 22, TrainingLimits.recurrentParameters(gru));
    }

    @Test
    void aFolderWhereAFileIsReadIsNamedAsAFolder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("series"));
        String m = refused(Setting.DATA, () -> TrainingLimits.checkData(folder, TrainingLimits.DataShape.FILE,
                "a CSV file of a time series", Long.MAX_VALUE)).getMessage();
        assertEquals("data: " + folder + " is a folder; expected a CSV file of a time series", m);
        Path file = Files.writeString(dir.resolve("a.txt"), "x\n");
        refused(Setting.DATA, () -> TrainingLimits.checkData(file, TrainingLimits.DataShape.FOLDER, "a folder",
                10));
        refused(Setting.DATA, () -> TrainingLimits.checkData(dir.resolve("absent.csv"), TrainingLimits.DataShape.FILE,
                "x", 10));
    }

    @Test
    void oversizedFilesAreRefusedBeforeTheyAreRead() throws Exception {
        Path big = dir.resolve("big.txt");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(TrainingLimits.MAX_FILE_BYTES + 1); // sparse: nothing is written
        }
        String m = refused(Setting.DATA, () -> TrainingLimits.checkFile(big, 10, "lines")).getMessage();
        assertTrue(m.contains(big + " has 67,108,865 bytes; the limit for a data file is 67,108,864 bytes (64 MiB)"),
                m);

        Path lines = Files.writeString(dir.resolve("lines.txt"), "a\nb\nc\nd", StandardCharsets.UTF_8);
        assertEquals(4, TrainingLimits.checkFile(lines, 4, "lines"));
        assertEquals("data: " + lines + " has more than 3 lines; the limit is 3 lines",
                refused(Setting.DATA, () -> TrainingLimits.checkFile(lines, 3, "lines")).getMessage());
    }

    @Test
    void aSeriesIsLimitedByRowsTimesWindow() throws Exception {
        StringBuilder sb = new StringBuilder("t,v\n");
        for (int i = 0; i < 1_000; i++) {
            sb.append(i).append(",1\n");
        }
        Path csv = Files.writeString(dir.resolve("s.csv"), sb);
        TrainingLimits.checkSeries(csv, 10_000); // 1,000 rows × 10,000 = the limit exactly
        InvalidSettingException e = refused(Setting.DATA, () -> TrainingLimits.checkSeries(csv, 10_001));
        assertTrue(e.getMessage().startsWith("data: " + csv + " has more than 999 rows; with window 10001 the limit"
                + " is 999 rows"), e.getMessage());
    }

    @Test
    void aPipeIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.csv");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo is not available");
        String m = refused(Setting.DATA, () -> TrainingLimits.checkData(fifo, TrainingLimits.DataShape.FILE, "x",
                10)).getMessage();
        assertTrue(m.contains("is not a regular file"), m);
    }
}
