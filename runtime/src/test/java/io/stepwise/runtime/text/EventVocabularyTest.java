package io.stepwise.runtime.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import io.stepwise.conversion.TokenUnit;
import io.stepwise.runtime.RecurrentModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventVocabularyTest {
    @TempDir
    Path dir;

    private Path model(TokenUnit unit, boolean unknown) throws Exception {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(2).setTokenInput(4, 2)
                .setOutputSize(4).build();
        NetworkWeights.Builder w = NetworkWeights.builder(spec).setEmbedding(new float[8]);
        w.setLayer(0, 0, new LayerWeights(new float[12], new float[12], new float[6], new float[6]));
        w.setHead(new float[8], new float[4]);
        ModelMetadata.Builder m = ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL)
                .optVocabulary(List.of("<unk>", "</s>", "view", "buy")).optTokenUnit(unit);
        if (unknown) {
            m.optUnknownToken(0);
        }
        Path file = dir.resolve(unit.id() + unknown + ".onnx");
        OnnxExporter.builder().build().write(spec, w.build(), m.build(), file);
        return file;
    }

    @Test
    void mapsNamesToIdsAndRanksTheNextEvents() throws Exception {
        try (RecurrentModel model = RecurrentModel.load(model(TokenUnit.EVENT, true))) {
            EventVocabulary events = EventVocabulary.forModel(model.info());
            assertEquals(4, events.size());
            assertArrayEquals(new int[] {2, 3, 0}, events.ids(List.of("view", "buy", "sell")));
            assertEquals("buy", events.name(3));
            List<EventVocabulary.Prediction> top = events.mostLikely(new float[] {0, 1, 3, 3}, 2);
            assertEquals(List.of("view", "buy"), top.stream().map(EventVocabulary.Prediction::event).toList());
            assertEquals(top.get(0).probability(), top.get(1).probability(), 1e-12);
            assertThrows(IllegalArgumentException.class, () -> events.mostLikely(new float[3], 1));
            assertThrows(IllegalArgumentException.class, () -> events.name(4));
        }
    }

    @Test
    void refusesUnknownEventsWithoutAnUnknownTokenAndCharacterModels() throws Exception {
        try (RecurrentModel model = RecurrentModel.load(model(TokenUnit.EVENT, false))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EventVocabulary.forModel(model.info()).id("sell"));
            assertTrue(e.getMessage().contains("'sell' is not in the model's vocabulary"), e.getMessage());
        }
        try (RecurrentModel model = RecurrentModel.load(model(TokenUnit.CHARACTER, true))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EventVocabulary.forModel(model.info()));
            assertTrue(e.getMessage().contains("expected event"), e.getMessage());
        }
    }
}
