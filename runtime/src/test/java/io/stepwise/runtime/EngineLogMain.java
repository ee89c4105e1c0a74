package io.stepwise.runtime;

import io.stepwise.conversion.CellKind;
import java.time.Duration;
import java.util.Random;

/**
 * Child JVM of {@link EngineLoggingTest}: loads a model with the engine log level {@code args[0]} ({@code default}
 * for {@link RuntimeOptions#defaults()}'s), steps it, and feeds a long sequence three times under a short call
 * timeout so that each feed is stopped. Prints {@code stepped cancelled=N}; whatever ONNX Runtime itself prints
 * goes to the process's standard error, which the test reads.
 */
public final class EngineLogMain {
    private EngineLogMain() {
    }

    public static void main(String[] args) {
        RuntimeOptions.Builder options = RuntimeOptions.builder().optRunLimits(RunLimits.builder()
                .optMaxStepsPerRun(4_096).optCallTimeout(Duration.ofMillis(100)).build());
        if (!args[0].equals("default")) {
            options.optEngineLogLevel(EngineLogLevel.valueOf(args[0]));
        }
        int cancelled = 0;
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.LSTM,
                2, 64, 9), 1), options.build()); StepSession s = model.newSession()) {
            s.step(1);
            int[] tokens = RandomModels.randomTokens(new Random(1), 400_000, 9);
            for (int i = 0; i < 3; i++) {
                try {
                    s.feed(tokens);
                } catch (RunCancelledException e) {
                    cancelled++;
                }
            }
        }
        System.out.println("stepped cancelled=" + cancelled);
    }
}
