package io.stepwise.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsFileTest {
    @TempDir
    Path dir;

    @Test
    void writesOneObjectPerEpochAndReadsItBack() throws IOException {
        List<EpochRecord> history = List.of(
                new EpochRecord(0, 1.25, 0.01, 3.5, 1200, Map.of("val_loss", 0.75), true),
                new EpochRecord(1, 0.5, 0.005, 3.25, 1300, Map.of("val_loss", 0.8, "val_accuracy", 0.5), false));
        Path file = dir.resolve(Trainer.METRICS_FILE);
        MetricsFile.write(file, history);
        String text = Files.readString(file);
        assertTrue(text.contains("\"train_loss\": 1.25") && text.contains("\"val_accuracy\": 0.5"), text);
        assertEquals(history, MetricsFile.read(file));
    }

    @Test
    void aFileThatIsNotAMetricsFileIsReportedWithItsName() throws IOException {
        Path file = dir.resolve("other.json");
        Files.writeString(file, "[{\"epoch\": 0}]");
        IOException e = assertThrows(IOException.class, () -> MetricsFile.read(file));
        assertTrue(e.getMessage().contains("other.json") && e.getMessage().contains("train_loss"), e.getMessage());
        Files.writeString(file, "{\"not\": \"an array\"}");
        assertThrows(IOException.class, () -> MetricsFile.read(file));
    }
}
