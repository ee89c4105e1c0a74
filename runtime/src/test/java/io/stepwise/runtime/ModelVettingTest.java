package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader runs {@link OnnxModelValidator} with the options' {@link ModelLimits} before ONNX Runtime sees a
 * file. Only fixtures that are harmless if they did reach ONNX Runtime are loaded here; the crashing ones are
 * covered by {@link HostileModelsTest} on the validator alone, and by the fuzz module in child JVMs.
 */
class ModelVettingTest {
    @TempDir
    Path dir;

    @Test
    void theLoaderRefusesModelsTheValidatorRefusesNamingTheFile() throws IOException {
        Path nan = Files.write(dir.resolve("nan.onnx"), HostileModelsTest.fixture("nan_weights.onnx"));
        ModelValidationException e = assertThrows(ModelValidationException.class, () -> RecurrentModel.load(nan));
        assertEquals(nan, e.path().orElseThrow());
        assertTrue(e.getMessage().startsWith(nan + ": ") && e.getMessage().contains("initializer 'layer0_R'"),
                e.getMessage());

        byte[] disagrees = HostileModelsTest.fixture("metadata_output_size.onnx");
        e = assertThrows(ModelValidationException.class, () -> RecurrentModel.fromBytes(disagrees));
        assertTrue(e.getMessage().startsWith("model bytes: ") && e.getMessage().contains("2147483647"),
                e.getMessage());
    }

    @Test
    void theOptionsLimitsApplyAndCanBeWidened() {
        byte[] model = RandomModels.bytes(RandomModels.featureSpec(CellKind.GRU, 2, 3, 2, 2), 5);
        RuntimeOptions tight = RuntimeOptions.builder()
                .optModelLimits(ModelLimits.builder().optMaxNodes(5).build()).build();
        ModelValidationException e = assertThrows(ModelValidationException.class,
                () -> RecurrentModel.fromBytes(model, tight));
        assertTrue(e.getMessage().contains("more than 5 nodes"), e.getMessage());
        try (RecurrentModel loaded = RecurrentModel.fromBytes(model, RuntimeOptions.builder()
                .optModelLimits(ModelLimits.defaults().toBuilder().optMaxNodes(50).build()).build())) {
            assertEquals(2, loaded.info().layers());
        }
    }

    @Test
    void aSignatureBoundModelNeedsItsOperatorsAllowed() {
        ModelSignature sig = ModelSignature.builder().input("features").output("values").state("h0", "hn")
                .optBatchFirst(false).build();
        Set<String> withoutSqueeze = new TreeSet<>(ModelLimits.DEFAULT_ALLOWED_OPERATORS);
        withoutSqueeze.remove("Squeeze");
        RuntimeOptions narrow = RuntimeOptions.builder()
                .optModelLimits(ModelLimits.builder().optAllowedOperators(withoutSqueeze).build()).build();
        ModelValidationException e = assertThrows(ModelValidationException.class,
                () -> RecurrentModel.fromResource("fixtures/gru_features.onnx", sig, narrow));
        assertTrue(e.getMessage().contains("uses operator 'Squeeze'"), e.getMessage());
        try (RecurrentModel model = RecurrentModel.fromResource("fixtures/gru_features.onnx", sig,
                RuntimeOptions.defaults())) {
            assertEquals(ModelFormat.Cell.GRU, model.info().cell());
        }
    }
}
