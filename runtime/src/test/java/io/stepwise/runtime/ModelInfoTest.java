package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelInfoTest {
    private static Map<String, String> gruLanguageModel() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("stepwise.format", "1");
        m.put("stepwise.cell", "gru");
        m.put("stepwise.layers", "2");
        m.put("stepwise.hidden_size", "8");
        m.put("stepwise.bidirectional", "false");
        m.put("stepwise.input_kind", "tokens");
        m.put("stepwise.input_size", "3");
        m.put("stepwise.embedding_size", "4");
        m.put("stepwise.head", "per_step");
        m.put("stepwise.output_size", "3");
        m.put("stepwise.input_name", "tokens");
        m.put("stepwise.output_name", "output");
        m.put("stepwise.state_inputs", "[\"h0\"]");
        m.put("stepwise.state_outputs", "[\"hn\"]");
        m.put("stepwise.task", "language_model");
        m.put("stepwise.vocabulary", "[\"a\",\"\\n\",\"é\"]");
        m.put("stepwise.unknown_token", "0");
        return m;
    }

    @Test
    void readsTheFormatKeys() {
        ModelInfo info = MetadataParser.fromStepwiseMetadata(gruLanguageModel());
        assertEquals(ModelFormat.Cell.GRU, info.cell());
        assertEquals(2, info.stateRows());
        assertEquals(List.of("a", "\n", "é"), info.vocabulary());
        assertEquals(0, info.unknownToken().getAsInt());
        assertTrue(info.isTokenInput() && info.isPerStep() && !info.hasCellState());
        assertEquals(16, info.fingerprint().length());
        String text = info.toString();
        assertTrue(text.contains("'\\n'") && text.contains("vocabulary 3, embedding 4"), text);
    }

    @Test
    void fingerprintFollowsTheArchitectureNotTheTaskMetadata() {
        Map<String, String> a = gruLanguageModel();
        Map<String, String> b = gruLanguageModel();
        b.put("stepwise.training", "{\"seed\": 7}");
        assertEquals(MetadataParser.fromStepwiseMetadata(a).fingerprint(), MetadataParser.fromStepwiseMetadata(b).fingerprint());
        b.put("stepwise.hidden_size", "9");
        assertNotEquals(MetadataParser.fromStepwiseMetadata(a).fingerprint(), MetadataParser.fromStepwiseMetadata(b).fingerprint());
        Map<String, String> c = gruLanguageModel();
        c.put("stepwise.vocabulary", "[\"a\",\"b\",\"c\"]");
        assertNotEquals(MetadataParser.fromStepwiseMetadata(a).fingerprint(), MetadataParser.fromStepwiseMetadata(c).fingerprint());
    }

    @Test
    void withWeightsChangesOnlyTheDigestAndTheModelFingerprint() {
        Map<String, String> meta = gruLanguageModel();
        meta.put("stepwise.scaling", "{\"mean\":[1,2,3],\"std\":[1,1,1]}");
        meta.put("stepwise.training", "{\"seed\": 7}");
        ModelInfo plain = MetadataParser.fromStepwiseMetadata(meta);
        assertEquals("", plain.weightsDigest());
        assertEquals(plain.architectureFingerprint(), plain.fingerprint(), "no weights: the architecture's");
        ModelInfo loaded = plain.withWeights("ab".repeat(32), true);
        assertEquals("ab".repeat(32), loaded.weightsDigest());
        assertTrue(loaded.weightsVerified());
        assertEquals(plain.architectureFingerprint(), loaded.architectureFingerprint());
        assertNotEquals(plain.fingerprint(), loaded.fingerprint());
        assertEquals(loaded.fingerprint(), plain.withWeights("ab".repeat(32), false).fingerprint(),
                "the fingerprint follows the weights, not whether they were checked");
        assertNotEquals(loaded.fingerprint(), plain.withWeights("cd".repeat(32), true).fingerprint());
        assertNotEquals(plain, loaded);
        assertEquals(plain, loaded.withWeights("", false), "everything else is carried over");
        assertEquals(plain.toString(), loaded.withWeights("", false).toString());
    }

    @Test
    void isAValueWithContentEqualityAndUnmodifiableCollections() {
        ModelInfo a = MetadataParser.fromStepwiseMetadata(gruLanguageModel());
        ModelInfo b = MetadataParser.fromStepwiseMetadata(new LinkedHashMap<>(gruLanguageModel()));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        Map<String, String> provenance = gruLanguageModel();
        provenance.put("stepwise.training", "{\"seed\": 7}");
        ModelInfo c = MetadataParser.fromStepwiseMetadata(provenance);
        assertEquals(a.fingerprint(), c.fingerprint(), "same architecture");
        assertNotEquals(a, c, "different content");
        assertEquals(ModelFormat.Task.LANGUAGE_MODEL, a.task());
        assertEquals(ModelFormat.InputKind.TOKENS, a.inputKind());
        assertEquals(ModelFormat.Head.PER_STEP, a.head());
        assertThrows(UnsupportedOperationException.class, () -> a.vocabulary().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> a.metadata().put("stepwise.x", "y"));
        assertThrows(UnsupportedOperationException.class, () -> c.training().put("x", 1));
        Map<String, String> scaled = gruLanguageModel();
        scaled.put("stepwise.scaling", "{\"mean\":[1,2,3],\"std\":[1,1,1]}");
        ModelInfo d = MetadataParser.fromStepwiseMetadata(scaled);
        assertEquals(d, MetadataParser.fromStepwiseMetadata(scaled), "scaling arrays compare by content");
        double[] mean = d.scaling().orElseThrow().mean();
        mean[0] = 99;
        assertEquals(1, d.scaling().orElseThrow().mean()[0]);
    }

    @Test
    void readsFreeFormJsonObjectsByKey() {
        Map<String, String> m = gruLanguageModel();
        m.put("stepwise.evaluation", "{\"data\":\"text.txt\",\"streams\":4}");
        m.put("stepwise.notes", "plain text");
        ModelInfo info = MetadataParser.fromStepwiseMetadata(m);
        assertEquals("text.txt", info.metadataObject("stepwise.evaluation").orElseThrow().get("data"));
        assertEquals(4L, info.metadataObject("stepwise.evaluation").orElseThrow().get("streams"));
        assertTrue(info.metadataObject("stepwise.absent").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> info.metadataObject("stepwise.notes"));
        assertTrue(e.getMessage().startsWith("stepwise.notes:"), e.getMessage());
        String text = ModelInfoRenderer.render(info);
        assertEquals(text, info.toString());
        assertTrue(text.contains("stepwise.notes = plain text"), text);
    }

    @Test
    void showsTheBaselineVerdictAndTheTokenUnit() {
        Map<String, String> m = gruLanguageModel();
        assertEquals(ModelFormat.TokenUnit.CHARACTER, MetadataParser.fromStepwiseMetadata(m).tokenUnit());
        assertTrue(MetadataParser.fromStepwiseMetadata(m).baseline().isEmpty());
        m.put("stepwise.token_unit", "event");
        m.put("stepwise.baseline", "{\"metric\":\"val_bpc\",\"value\":2.5,\"baseline\":\"Kneser-Ney 3-gram\","
                + "\"baseline_value\":null,\"outcome\":\"loses\",\"verdict\":\"DOES NOT BEAT its baseline: x\"}");
        ModelInfo info = MetadataParser.fromStepwiseMetadata(m);
        assertEquals(ModelFormat.TokenUnit.EVENT, info.tokenUnit());
        ModelInfo.Baseline b = info.baseline().orElseThrow();
        assertEquals("loses", b.outcome());
        assertTrue(Double.isNaN(b.baselineValue()) && !b.beatsBaseline());
        String text = info.toString();
        assertTrue(text.contains("baseline:      DOES NOT BEAT its baseline: x"), text);
        assertTrue(text.contains("events, vocabulary 3"), text);
        assertTrue(!text.contains("other metadata"), text);
    }

    @Test
    void namesTheKeyThatIsMissingOrMalformed() {
        assertRefused("stepwise.token_unit", "word", "stepwise.token_unit: expected one of [character, event]");
        assertRefused("stepwise.baseline", "{\"metric\":\"m\"}", "stepwise.baseline.outcome: expected a string");
        assertRefused("stepwise.baseline", "{\"metric\":\"m\",\"baseline\":\"b\",\"outcome\":\"wins\","
                + "\"verdict\":\"v\"}", "stepwise.baseline.outcome: expected one of");
        assertRefused("stepwise.layers", null, "stepwise.layers: required");
        assertRefused("stepwise.layers", "two", "expected an integer but got 'two'");
        assertRefused("stepwise.hidden_size", "0", "stepwise.hidden_size: expected a positive integer");
        assertRefused("stepwise.cell", "transformer", "stepwise.cell: expected one of");
        assertRefused("stepwise.bidirectional", "yes", "expected true or false");
        assertRefused("stepwise.vocabulary", "[\"a\",", "stepwise.vocabulary: JSON");
        assertRefused("stepwise.vocabulary", "[\"a\",\"b\"]", "vocabulary has 2");
        assertRefused("stepwise.unknown_token", "3", "outside the vocabulary");
        assertRefused("stepwise.state_inputs", "[\"h0\",\"c0\"]", "a gru model has 1 state");
        assertRefused("stepwise.task", "chatbot", "stepwise.task: expected one of");
        assertRefused("stepwise.metrics", "{\"loss\":\"low\"}", "'loss' should be a number");
        assertRefused("stepwise.scaling", "{\"mean\":[1],\"std\":[0]}", "std > 0");
        assertRefused("stepwise.format", "3", "format 3");
        assertRefused("stepwise.format", "0", "formats 1 to 2");
    }

    private static void assertRefused(String key, String value, String message) {
        Map<String, String> m = gruLanguageModel();
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetadataParser.fromStepwiseMetadata(m),
                key + "=" + value);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
