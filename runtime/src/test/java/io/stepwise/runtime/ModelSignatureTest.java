package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSignatureTest {
    @Test
    void buildsWithRequiredAndOptionalSettings() {
        ModelSignature s = ModelSignature.builder().input("x").output("y").state("h0", "hn").state("c0", "cn")
                .optBatchFirst(false).optVocabulary(List.of("a", "b")).optTask(ModelFormat.Task.LANGUAGE_MODEL).build();
        assertEquals(List.of("h0", "c0"), s.stateInputs());
        assertEquals(List.of("hn", "cn"), s.stateOutputs());
        assertFalse(s.batchFirst());
        assertEquals(2, s.vocabularySize().getAsInt());
        assertTrue(s.toString().contains("x"));
    }

    @Test
    void refusesIncompleteOrAmbiguousSignatures() {
        assertMessage(() -> ModelSignature.builder().output("y").state("h0", "hn").build(), "input: required");
        assertMessage(() -> ModelSignature.builder().input("x").state("h0", "hn").build(), "output: required");
        assertMessage(() -> ModelSignature.builder().input("x").output("y").build(), "state: expected one pair");
        assertMessage(() -> ModelSignature.builder().input("x").output("y").state("a", "b").state("c", "d")
                .state("e", "f").build(), "but got 3");
        assertMessage(() -> ModelSignature.builder().input("x").output("x").state("h0", "hn").build(), "must differ");
        assertMessage(() -> ModelSignature.builder().input(" "), "input");
        assertMessage(() -> ModelSignature.builder().optVocabularySize(0), "vocabularySize");
        assertMessage(() -> ModelSignature.builder().optTask(ModelFormat.Task.UNKNOWN), "task");
    }

    private static void assertMessage(Runnable r, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
