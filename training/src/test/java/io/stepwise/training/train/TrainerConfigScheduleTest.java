package io.stepwise.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.training.tracker.Tracker;
import io.stepwise.training.train.schedule.ConstantSchedule;
import io.stepwise.training.train.schedule.CosineSchedule;
import io.stepwise.training.train.schedule.LearningRateSchedule;
import io.stepwise.training.train.schedule.StepSchedule;
import io.stepwise.training.train.schedule.WarmUpSchedule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule a {@link TrainerConfig} assembles, and its rates against the DJL trackers the trainer used before. */
class TrainerConfigScheduleTest {
    @Test
    void assemblesWarmUpAndDecayFromTheSettings() {
        TrainerConfig cosine = TrainerConfig.builder().setEpochs(3).optLearningRate(0.02f).optWarmUpSteps(4)
                .optCosineSchedule(0.002f).build();
        WarmUpSchedule warmUp = assertInstanceOf(WarmUpSchedule.class, cosine.learningRateSchedule(10));
        assertEquals(new CosineSchedule(0.02f, 0.002f, 26), warmUp.then(), "30 steps, 4 of them warm-up");
        assertEquals(0.005f, warmUp.first());
        assertEquals(new ConstantSchedule(0.02f), TrainerConfig.builder().setEpochs(1).optLearningRate(0.02f)
                .optCosineSchedule(0.02f).build().learningRateSchedule(5), "no room to decay");
        assertEquals(new StepSchedule(0.01f, 0.5f, 20, 0), TrainerConfig.builder().setEpochs(3).optLearningRate(0.01f)
                .optStepSchedule(2, 0.5f).build().learningRateSchedule(10));
        assertThrows(IllegalArgumentException.class, () -> cosine.learningRateSchedule(0));
    }

    /** The rates DJL's trackers gave, as Trainer assembled them before it had its own schedules. */
    private static Tracker djl(TrainerConfig config, int stepsPerEpoch) {
        float lr = config.learningRate();
        int total = config.epochs() * stepsPerEpoch;
        int warmUp = config.warmUpSteps();
        Tracker main = switch (config.schedule()) {
            case CONSTANT -> Tracker.fixed(lr);
            case COSINE -> config.minLearningRate() < lr
                    ? Tracker.cosine().setBaseValue(lr).optFinalValue(config.minLearningRate())
                    .setMaxUpdates(Math.max(1, total - warmUp)).build()
                    : Tracker.fixed(lr);
            case STEP -> step -> lr * (float) Math.pow(config.stepFactor(),
                    (step + warmUp) / (config.stepEpochs() * stepsPerEpoch));
        };
        return warmUp == 0 ? main : Tracker.warmUp().setMainTracker(main).optWarmUpSteps(warmUp)
                .optWarmUpBeginValue(lr / warmUp).build();
    }

    @Test
    void ratesAreBitForBitThoseOfDjlsTrackers() {
        List<TrainerConfig> configs = List.of(
                TrainerConfig.builder().setEpochs(5).optLearningRate(1e-2f).optCosineSchedule(5e-4f).build(),
                TrainerConfig.builder().setEpochs(4).optLearningRate(0.02f).optWarmUpSteps(3)
                        .optCosineSchedule(0.001f).build(),
                TrainerConfig.builder().setEpochs(40).optLearningRate(0.003f).optCosineSchedule(0.003f / 20).build(),
                TrainerConfig.builder().setEpochs(3).optLearningRate(0.01f).optStepSchedule(1, 0.5f).build(),
                TrainerConfig.builder().setEpochs(6).optLearningRate(0.05f).optWarmUpSteps(7)
                        .optStepSchedule(2, 0.3f).build(),
                TrainerConfig.builder().setEpochs(2).optLearningRate(0.1f).optWarmUpSteps(5).optConstantSchedule()
                        .build());
        for (TrainerConfig config : configs) {
            for (int stepsPerEpoch : new int[] {1, 7, 113}) {
                LearningRateSchedule ours = config.learningRateSchedule(stepsPerEpoch);
                Tracker theirs = djl(config, stepsPerEpoch);
                for (int step = 0; step < config.epochs() * stepsPerEpoch + 10; step++) {
                    assertEquals(Float.floatToIntBits(theirs.getNewValue(step)), Float.floatToIntBits(ours.rate(step)),
                            config.schedule() + " " + stepsPerEpoch + " steps per epoch, step " + step);
                }
            }
        }
    }
}
