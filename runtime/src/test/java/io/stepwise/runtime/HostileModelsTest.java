package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.OnnxModelValidator.Format;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The crashing, hanging and misbehaving models of issue 16 (runtime/src/test/resources/hostile, written by
 * scripts/make_hostile_fixtures.py) are refused by {@link OnnxModelValidator} before any native code reads them.
 * None of these bytes ever reaches ONNX Runtime in this JVM: the truncated tensor crashes it (SIGSEGV), the others
 * allocate gigabytes or never return. The fuzz module's replay shows that in child JVMs.
 */
class HostileModelsTest {
    /** Far below what ONNX Runtime takes on the slowest of these (26 s); the validator takes milliseconds. */
    private static final long BUDGET_MS = 5_000;

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = HostileModelsTest.class.getResourceAsStream("/hostile/" + name)) {
            if (in == null) {
                throw new IOException("missing fixture /hostile/" + name + "; run scripts/make_hostile_fixtures.py");
            }
            return in.readAllBytes();
        }
    }

    /** Validates and returns the refusal message, asserting that it came quickly. */
    static String refusal(byte[] model, ModelLimits limits, Format format) {
        long start = System.nanoTime();
        ModelValidationException e = assertThrows(ModelValidationException.class,
                () -> OnnxModelValidator.validate(model, limits, format));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < BUDGET_MS, "refused after " + ms + " ms");
        return e.getMessage();
    }

    static void assertRefused(byte[] model, ModelLimits limits, Format format, String... parts) {
        String m = refusal(model, limits, format);
        for (String p : parts) {
            assertTrue(m.contains(p), () -> "expected '" + p + "' in: " + m);
        }
    }

    @Test
    void aTruncatedInt64InitializerIsRefusedInEitherFormat() throws IOException {
        byte[] m = fixture("truncated_state_start.onnx");
        for (Format f : Format.values()) {
            assertRefused(m, ModelLimits.defaults(), f, "initializer 'layer0_state_start'",
                    "raw_data holds 4 bytes but INT64 [1] needs 8");
        }
    }

    @Test
    void tensorDataLongerOrShorterThanItsShapeIsRefused() throws IOException {
        for (Format f : Format.values()) {
            assertRefused(fixture("extended_state_start.onnx"), ModelLimits.defaults(), f,
                    "initializer 'layer0_state_start'", "raw_data holds 41 bytes but INT64 [1] needs 8");
            assertRefused(fixture("reshaped_weight.onnx"), ModelLimits.defaults(), f, "initializer 'layer0_W'",
                    "raw_data holds 256 bytes but FLOAT [16, 8] needs 512");
        }
    }

    @Test
    void aConstantOfShapeOfTwoToThe31FloatsIsRefused() throws IOException {
        byte[] m = fixture("constant_of_shape.onnx");
        // A Stepwise file is refused for the size its constant asks before its structure is compared.
        assertRefused(m, ModelLimits.defaults(), Format.STEPWISE, "node 'hostile_zeros' (ConstantOfShape)",
                "constant shape [2147483648] asks for 2147483648 elements");
        assertRefused(m, ModelLimits.defaults(), Format.FOREIGN, "uses operator 'ConstantOfShape'");
        ModelLimits widened = ModelLimits.defaults().toBuilder().optAllowOperators("ConstantOfShape").build();
        assertRefused(m, widened, Format.FOREIGN, "node 'hostile_zeros' (ConstantOfShape)",
                "constant shape [2147483648] asks for 2147483648 elements");
    }

    @Test
    void aLoopOfTwoToThe62IterationsIsRefused() throws IOException {
        byte[] m = fixture("loop_forever.onnx");
        assertRefused(m, ModelLimits.defaults(), Format.STEPWISE, "node 'hostile_loop' (Loop)", "trip count");
        assertRefused(m, ModelLimits.defaults(), Format.FOREIGN, "uses operator 'Loop'");
        ModelLimits widened = ModelLimits.defaults().toBuilder().optAllowOperators("Loop").build();
        assertRefused(m, widened, Format.FOREIGN, "node 'hostile_loop' (Loop)",
                "trip count 4611686018427387904 exceeds 100000");
    }

    @Test
    void metadataThatDisagreesWithTheGraphIsRefused() throws IOException {
        assertRefused(fixture("metadata_output_size.onnx"), ModelLimits.defaults(), Format.STEPWISE,
                "graph outputs are [output FLOAT [batch, sequence, 1]", "output FLOAT [batch, sequence, 2147483647]");
    }

    @Test
    void nanWeightsAreRefused() throws IOException {
        for (Format f : Format.values()) {
            assertRefused(fixture("nan_weights.onnx"), ModelLimits.defaults(), f, "initializer 'layer0_R'",
                    "element 2 is NaN or infinite");
        }
    }

    @Test
    void metadataFloodsAreRefusedBeforeTheQuadraticReaderSeesThem() {
        byte[] base = RandomModels.bytes(RandomModels.featureSpec(CellKind.GRU, 1, 4, 2, 2), 3);
        for (int entries : new int[] {20_000, 200_000}) {
            byte[] flooded = withMetadata(base, entries);
            for (Format f : Format.values()) {
                assertRefused(flooded, ModelLimits.defaults(), f, "metadata_props: more than 1000 entries");
            }
        }
    }

    /**
     * The public entry points, end to end: every fixture, from its file and from bytes, in a child JVM, so that a
     * fixture reaching ONNX Runtime (the truncated tensor crashed the JVM, {@code stepwise inspect} exited 134) is
     * seen as a dead child rather than taking the test JVM with it.
     */
    @Test
    void theLoaderRefusesEveryFixtureBeforeOnnxRuntimeReadsIt() throws Exception {
        String[] names = {"truncated_state_start.onnx", "extended_state_start.onnx", "reshaped_weight.onnx",
            "constant_of_shape.onnx", "loop_forever.onnx", "metadata_output_size.onnx", "nan_weights.onnx"};
        ChildJvm.Result r = ChildJvm.run("256m", HostileFixturesMain.class, names);
        assertEquals(0, r.exit(), () -> "child exited " + r.exit() + "; out:\n" + r.out() + "\nerr:\n" + r.err());
        for (String name : names) {
            for (String how : new String[] {"file", "bytes"}) {
                String line = name + " " + how + " ModelValidationException";
                assertTrue(r.out().contains(line + "\n") || r.out().contains(line + "\r\n"),
                        () -> "expected '" + line + "' in:\n" + r.out());
            }
        }
    }

    /** Appends entries to ModelProto.metadata_props (field 14): repeated fields may follow the others on the wire. */
    static byte[] withMetadata(byte[] model, int entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + entries * 24);
        out.writeBytes(model);
        for (int i = 0; i < entries; i++) {
            byte[] key = ("flood." + i).getBytes(StandardCharsets.UTF_8);
            byte[] value = "x".getBytes(StandardCharsets.UTF_8);
            int length = 2 + key.length + 2 + value.length;
            out.write(14 << 3 | 2);
            out.write(length);
            out.write(1 << 3 | 2);
            out.write(key.length);
            out.writeBytes(key);
            out.write(2 << 3 | 2);
            out.write(value.length);
            out.writeBytes(value);
        }
        return out.toByteArray();
    }
}
