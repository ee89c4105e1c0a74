package io.stepwise.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.stepwise.training.model.RecurrentNet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints written by earlier Stepwise versions keep resuming: each committed fixture folder
 * ({@code checkpoint-v<N>}, written by {@link CheckpointFixture} with the code of that version) is read, rewritten
 * and resumed with the current code.
 */
class CheckpointCompatibilityTest {
    private static final String V1 = "checkpoint-v1/";

    @TempDir
    Path dir;

    private Path copy(String resource, Path target) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
        }
        return target;
    }

    private JsonObject expected() throws IOException {
        return JsonParser.parseString(Files.readString(copy(V1 + CheckpointFixture.EXPECTED,
                dir.resolve("expected.json")), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static Map<String, float[]> weights(RecurrentNet net) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            weights.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return weights;
    }

    /** Reading restores every byte the file holds: writing the restored run again gives the same file. */
    @Test
    void version1IsReadCompletelyAndWrittenAgainByteForByte() throws IOException {
        Path file = copy(V1 + CheckpointFixture.CHECKPOINT, dir.resolve("in").resolve(Trainer.CHECKPOINT_FILE));
        assertEquals(1, CheckpointFormat.version(file));
        JsonObject expected = expected();
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = CheckpointFixture.net();
            net.initialize(manager, DataType.FLOAT32, net.exampleInputShape());
            TrainerConfig config = CheckpointFixture.config();
            try (AdamOptimizer optimizer = new AdamOptimizer(net.getParameters(), manager, config)) {
                RunState state = CheckpointFormat.read(file, config, net, optimizer, manager);
                assertEquals(CheckpointFixture.STOP_AT, state.nextEpoch);
                assertEquals(CheckpointFixture.STOP_AT, state.history.size());
                assertEquals(CheckpointFixture.STOP_AT - 1, state.bestEpoch, "validation improved every epoch");
                assertEquals(0, state.epochsWithoutImprovement);
                assertTrue(optimizer.updates() > 0);
                for (int e = 0; e < state.history.size(); e++) {
                    JsonObject row = expected.getAsJsonArray("history").get(e).getAsJsonObject();
                    EpochRecord r = state.history.get(e);
                    assertEquals(row.get("train_loss").getAsDouble(), r.trainLoss(), 0.0);
                    assertEquals(row.get("learning_rate").getAsDouble(), r.learningRate(), 0.0);
                    assertEquals(row.get("val_loss").getAsDouble(), r.validation().get("val_loss"), 0.0);
                }
                // Version 1 is also the version written today; once a version 2 exists, this compares with the
                // version 2 fixture instead.
                Path again = dir.resolve("out").resolve(Trainer.CHECKPOINT_FILE);
                Files.createDirectories(again.getParent());
                CheckpointFormat.write(again, config, net, state, optimizer);
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
            }
        }
    }

    /**
     * Resuming the committed run continues it exactly as the code that wrote it did: same losses, rates and
     * validation figures per epoch, same final weights, bit for bit. Training arithmetic may differ in its last
     * bits between CPU families, so the bit-for-bit part runs where the fixture's platform probe matches (it is
     * skipped, with the reason, elsewhere); restoring the checkpoint is checked everywhere.
     */
    @Test
    void version1ResumesToTheWeightsItsOwnCodeReached() throws IOException {
        Path run = dir.resolve("run");
        copy(V1 + CheckpointFixture.CHECKPOINT, run.resolve(Trainer.CHECKPOINT_FILE));
        copy(V1 + CheckpointFixture.BEST, run.resolve(Trainer.BEST_PARAMETERS_FILE));
        Path expectedFinal = copy(V1 + CheckpointFixture.EXPECTED_FINAL, dir.resolve("expected-final.params"));
        JsonObject expected = expected();
        Map<String, float[]> resumedWeights;
        Map<String, float[]> expectedWeights;
        TrainingResult result;
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = CheckpointFixture.net();
            result = CheckpointFixture.run(run, manager, net, -1, true);
            resumedWeights = weights(net);
            RecurrentNet reference = CheckpointFixture.net();
            reference.initialize(manager, DataType.FLOAT32, reference.exampleInputShape());
            ParameterFiles.load(reference, expectedFinal);
            expectedWeights = weights(reference);
        }
        assertEquals(CheckpointFixture.EPOCHS, result.epochsCompleted());
        assertEquals(CheckpointFixture.EPOCHS, result.history().size());
        List<JsonElement> rows = expected.getAsJsonArray("history").asList();
        for (int e = 0; e < CheckpointFixture.STOP_AT; e++) {
            assertEquals(rows.get(e).getAsJsonObject().get("train_loss").getAsDouble(),
                    result.history().get(e).trainLoss(), 0.0, "epoch " + e + " comes from the checkpoint");
        }

        String probe = CheckpointFixture.probe();
        assumeTrue(probe.equals(expected.get("probe").getAsString()), "this CPU computes PyTorch's kernels with "
                + "other rounding than the machine that wrote the fixture (probe " + probe + "), so the resumed "
                + "weights cannot be compared bit for bit here");
        assertEquals(expected.get("best_epoch").getAsInt(), result.bestEpoch());
        assertEquals(expected.get("best_metric").getAsDouble(), result.bestMetric(), 0.0);
        for (int e = 0; e < rows.size(); e++) {
            JsonObject row = rows.get(e).getAsJsonObject();
            EpochRecord r = result.history().get(e);
            assertEquals(row.get("train_loss").getAsDouble(), r.trainLoss(), 0.0, "train_loss of epoch " + e);
            assertEquals(row.get("learning_rate").getAsDouble(), r.learningRate(), 0.0, "learning_rate " + e);
            assertEquals(row.get("val_loss").getAsDouble(), r.validation().get("val_loss"), 0.0, "val_loss " + e);
            assertEquals(row.get("improved").getAsBoolean(), r.improved(), "improved " + e);
        }
        assertEquals(expectedWeights.keySet(), resumedWeights.keySet());
        expectedWeights.forEach((name, w) -> assertArrayEquals(w, resumedWeights.get(name), name));
        assertArrayEquals(Files.readAllBytes(expectedFinal), Files.readAllBytes(run.resolve(
                Trainer.BEST_PARAMETERS_FILE)), "the last epoch was the best, so best.params holds the final weights");
    }

    @Test
    void newerOrForeignFilesAreRefusedWithTheirVersion() throws IOException {
        byte[] v1 = getClass().getResourceAsStream(V1 + CheckpointFixture.CHECKPOINT).readAllBytes();
        byte[] newer = v1.clone();
        ByteBuffer.wrap(newer).putInt(4, CheckpointFormat.VERSION + 1);
        Path run = Files.createDirectories(dir.resolve("newer"));
        Files.write(run.resolve(Trainer.CHECKPOINT_FILE), newer);
        IOException e = assertThrows(IOException.class, () -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                CheckpointFixture.run(run, manager, CheckpointFixture.net(), -1, true);
            }
        });
        assertTrue(e.getMessage().contains("version " + (CheckpointFormat.VERSION + 1)), e.getMessage());

        Path foreign = dir.resolve("foreign.bin");
        Files.writeString(foreign, "not a checkpoint at all");
        assertTrue(assertThrows(IOException.class, () -> CheckpointFormat.version(foreign)).getMessage()
                .contains("not a Stepwise checkpoint"));
    }
}
