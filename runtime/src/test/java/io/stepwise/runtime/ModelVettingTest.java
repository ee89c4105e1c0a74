package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stepwise.conversion.CellKind;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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

    /**
     * Vetting a file reads its memory map in place: loading a 13 MB model by path allocates far less than the file
     * on the Java heap (a copy would allocate all of it). Measured as this thread's allocated bytes, after a warm-up
     * load so that class loading does not count.
     */
    @Test
    void aFileIsVettedWithoutACopyOnTheHeap() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path small = RandomModels.write(dir, "small.onnx", RandomModels.featureSpec(CellKind.LSTM, 2, 8, 4, 2), 1);
        Path large = RandomModels.write(dir, "large.onnx", RandomModels.featureSpec(CellKind.LSTM, 2, 512, 16, 4), 2);
        try (RecurrentModel warmUp = RecurrentModel.load(small)) {
            assertEquals(2, warmUp.info().layers());
        }
        long size = large.toFile().length();
        long before = threads.getCurrentThreadAllocatedBytes();
        try (RecurrentModel model = RecurrentModel.load(large)) {
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(512, model.info().hiddenSize());
            assertTrue(size > 12_000_000 && allocated < size / 4, "loading a " + size + "-byte file allocated "
                    + allocated + " bytes on the heap");
        }
    }
}
