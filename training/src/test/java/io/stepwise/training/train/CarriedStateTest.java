package io.stepwise.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class CarriedStateTest {
    @Test
    void keepsDetachedValuesBeyondTheBatchManager() {
        try (NDManager root = NDManager.newBaseManager()) {
            CarriedState carried = new CarriedState(root);
            assertNull(carried.get());
            try (NDManager batch = root.newSubManager()) {
                NDArray h = batch.create(new float[] {1, 2, 3});
                h.setRequiresGradient(true);
                carried.set(new NDList(h.mul(2)));
            }
            assertArrayEquals(new float[] {2, 4, 6}, carried.get().head().toFloatArray());
            assertFalse(carried.get().head().hasGradient());
            carried.reset();
            assertNull(carried.get());
            carried.close();
            carried.close();
            assertThrows(IllegalStateException.class, carried::get);
        }
    }
}
