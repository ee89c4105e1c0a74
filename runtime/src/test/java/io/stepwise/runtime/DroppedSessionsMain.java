package io.stepwise.runtime;

import io.stepwise.conversion.CellKind;

/**
 * Child JVM of {@link SessionLeakTest}: opens {@code args[0]} sessions of one model, steps each once and drops it
 * without closing, then reports how many the model still counts as open after the garbage collector ran.
 * Prints {@code open=N used=BYTES}; exits 1 on OutOfMemoryError.
 */
public final class DroppedSessionsMain {
    private DroppedSessionsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = Integer.parseInt(args[0]);
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.LSTM,
                2, 64, 20), 1))) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                model.newSession().step(i % 20);
            }
            for (int i = 0; i < 50 && model.openSessions() > 100; i++) {
                System.gc();
                Thread.sleep(20);
            }
            Runtime rt = Runtime.getRuntime();
            System.out.println("open=" + model.openSessions() + " used=" + (rt.totalMemory() - rt.freeMemory())
                    + " ms=" + (System.nanoTime() - start) / 1_000_000);
        } catch (OutOfMemoryError e) {
            System.out.println("OutOfMemoryError " + e.getMessage());
            System.exit(1);
        }
    }
}
