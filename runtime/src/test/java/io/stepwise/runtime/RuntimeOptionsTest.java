package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RuntimeOptionsTest {
    @Test
    void defaultsSuitManyParallelSessions() {
        RuntimeOptions o = RuntimeOptions.defaults();
        assertEquals(Device.CPU, o.device());
        assertEquals(1, o.intraOpThreads());
        assertFalse(o.spinning());
        assertEquals(RuntimeOptions.OptimizationLevel.ALL, o.optimizationLevel());
        assertEquals(ModelLimits.defaults(), o.modelLimits());
    }

    @Test
    void builderSetsAndValidates() {
        RuntimeOptions o = RuntimeOptions.builder().optDevice(Device.cuda(1)).optIntraOpThreads(4).optSpinning(true)
                .optOptimizationLevel(RuntimeOptions.OptimizationLevel.BASIC).build();
        assertTrue(o.device().isCuda());
        assertEquals(1, o.device().deviceId());
        assertEquals(4, o.intraOpThreads());
        assertTrue(o.spinning());
        assertTrue(o.toString().contains("cuda:1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RuntimeOptions.builder().optIntraOpThreads(0).build());
        assertTrue(e.getMessage().contains("intraOpThreads") && e.getMessage().contains("0"));
        assertThrows(NullPointerException.class, () -> RuntimeOptions.builder().optDevice(null));
    }
}
