package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DeviceTest {
    @Test
    void namesAndValidation() {
        assertEquals("cpu", Device.CPU.toString());
        assertFalse(Device.CPU.isCuda());
        assertEquals("cuda:2", Device.cuda(2).toString());
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
        assertThrows(IllegalArgumentException.class, () -> new Device("tpu", 0));
        assertThrows(IllegalArgumentException.class, () -> new Device("cpu", 1));
    }
}
