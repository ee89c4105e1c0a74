package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.ModelFormat;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.text.EventVocabulary;
import io.stepwise.training.data.EventSequences;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.EventModelProtocol;
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

/** A next-event model trained on generated clickstreams, served through the step API with event names. */
class EventModelTaskTest {
    @TempDir
    Path dir;

    /** Sessions of a shop: browse a little, then mostly buy (add_to_cart → checkout → pay) or leave. */
    static Path clickstreams(Path folder, int sessions) throws Exception {
        Random random = new Random(9);
        StringBuilder sb = new StringBuilder("# one session per line\n");
        for (int s = 0; s < sessions; s++) {
            sb.append("home");
            int views = 1 + random.nextInt(3);
            for (int v = 0; v < views; v++) {
                sb.append(random.nextBoolean() ? " search" : ",category").append(" view_item");
            }
            if (random.nextInt(4) > 0) {
                sb.append(" add_to_cart checkout pay");
            }
            sb.append('\n');
        }
        return Files.writeString(folder.resolve("clicks.txt"), sb, StandardCharsets.UTF_8);
    }

    @Test
    void readsOneSequencePerLineWithEndMarks() throws Exception {
        Path file = Files.writeString(dir.resolve("e.txt"), "a b c\n\n# note\na,b\nc a\nrare a\n");
        EventSequences s = EventSequences.read(file, 1, 0.25, 2);
        assertEquals(List.of("<unk>", "</s>", "a", "b", "c"), s.vocabulary().subList(0, 5));
        assertEquals(1, s.describe().get("validation_sequences"));
        assertEquals(3, s.describe().get("train_sequences"));
        int ends = 0;
        for (int id : s.trainIds()) {
            ends += id == EventSequences.END_ID ? 1 : 0;
        }
        assertEquals(3, ends);
        Path one = Files.writeString(dir.resolve("one.txt"), "a b\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventSequences.read(one, 1, 0.1, 1));
        assertTrue(e.getMessage().contains("expected at least 2 sequences"), e.getMessage());
    }

    @Test
    void trainsBeatsItsBaselineOrSaysSoAndPredictsNamedEvents() throws Exception {
        Path clicks = clickstreams(dir, 300);
        TrainedModel trained = ModelTraining.train(TrainingOptions.builder().setTask(TaskKind.EVENT_MODEL)
                        .setCell(CellKind.GRU).setOut(dir.resolve("events.onnx")).optData(clicks).optHidden(16)
                        .optEmbedding(8).optEpochs(4).optBatchSize(4).optBptt(16).optLearningRate(2e-2f)
                        .optRunDirectory(dir.resolve("run")).optCommandLine("stepwise test").build(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), ConsoleProgress.Mode.OFF);
        double bits = trained.metrics().get(EventModelProtocol.VAL_BITS);
        // Nine ids: uniform guessing costs log2(9) ≈ 3.2 bits per event.
        assertTrue(bits < 2.0, trained.metrics().toString());
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            assertEquals(ModelFormat.TokenUnit.EVENT, model.info().tokenUnit());
            assertEquals(TaskKind.EVENT_MODEL, ModelEvaluation.taskOf(model.info()));
            ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
            assertEquals(EventModelProtocol.VAL_BITS, result.metric());
            assertTrue(result.matchesRecorded(), result.toString());
            assertTrue(model.info().baseline().orElseThrow().verdict().contains("bits per event"));

            EventVocabulary events = EventVocabulary.forModel(model.info());
            try (Session session = model.newSession()) {
                float[][] out = session.feed(events.ids(List.of("home", "search", "view_item", "add_to_cart")));
                EventVocabulary.Prediction next = events.mostLikely(out[out.length - 1], 1).get(0);
                assertEquals("checkout", next.event(), events.mostLikely(out[out.length - 1], 3).toString());
                assertTrue(next.probability() > 0.5);
            }
            assertEquals(EventSequences.UNKNOWN_ID, events.id("never_seen"));
        }
    }
}
