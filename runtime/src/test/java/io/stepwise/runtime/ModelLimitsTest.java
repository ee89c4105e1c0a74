package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelLimitsTest {
    @Test
    void defaultsAreDocumentedValues() {
        ModelLimits d = ModelLimits.defaults();
        assertEquals(1L << 30, d.maxModelBytes());
        assertEquals(1L << 28, d.maxTensorElements());
        assertEquals(1L << 30, d.maxTensorBytes());
        assertEquals(2L << 30, d.maxTotalTensorBytes());
        assertEquals(8, d.maxRank());
        assertEquals(10_000, d.maxNodes());
        assertEquals(4, d.maxGraphDepth());
        assertEquals(1_000, d.maxMetadataEntries());
        assertEquals(16L << 20, d.maxMetadataBytes());
        assertEquals(4_096, d.maxNameBytes());
        assertEquals(16 << 20, d.maxStringBytes());
        assertEquals(100_000, d.maxLoopIterations());
        assertTrue(d.finiteWeights());
        assertEquals(ModelLimits.DEFAULT_ALLOWED_OPERATORS, d.allowedOperators());
        for (String op : List.of("LSTM", "GRU", "RNN", "Gather", "MatMul", "Gemm", "Softmax", "Squeeze")) {
            assertTrue(d.allowedOperators().contains(op), op);
        }
        for (String op : List.of("Loop", "Scan", "If", "ConstantOfShape", "Range", "Tile", "Expand", "Pad")) {
            assertFalse(d.allowedOperators().contains(op), op);
        }
    }

    @Test
    void widensExplicitlyAndKeepsTheRest() {
        ModelLimits wide = ModelLimits.defaults().toBuilder().optMaxNodes(50_000).optAllowOperators("Loop",
                "com.microsoft:FusedMatMul").build();
        assertEquals(50_000, wide.maxNodes());
        assertTrue(wide.allowedOperators().containsAll(List.of("Loop", "com.microsoft:FusedMatMul", "LSTM")));
        assertEquals(ModelLimits.defaults(), ModelLimits.defaults().toBuilder().build());
        assertEquals(List.of("GRU"), List.copyOf(ModelLimits.builder().optAllowedOperators(List.of("GRU")).build()
                .allowedOperators()));
        assertThrows(UnsupportedOperationException.class, () -> wide.allowedOperators().add("If"));
    }

    @Test
    void refusesValuesOutsideTheirRanges() {
        assertEquals("maxRank: expected 1..64 but got 0", assertThrows(IllegalArgumentException.class,
                () -> ModelLimits.builder().optMaxRank(0).build()).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelLimits.builder().optMaxModelBytes(1L << 31).build());
        assertThrows(IllegalArgumentException.class, () -> ModelLimits.builder().optMaxTensorElements(0).build());
        assertThrows(IllegalArgumentException.class, () -> ModelLimits.builder().optMaxGraphDepth(33).build());
        assertThrows(IllegalArgumentException.class, () -> ModelLimits.builder().optMaxMetadataEntries(-1).build());
        assertEquals("operators: expected 'OpType' or 'domain:OpType' but got 'a:b:c'",
                assertThrows(IllegalArgumentException.class,
                        () -> ModelLimits.builder().optAllowOperators("a:b:c")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelLimits.builder().optAllowOperators(" "));
    }
}
