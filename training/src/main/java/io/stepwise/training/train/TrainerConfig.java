package io.stepwise.training.train;

import io.stepwise.training.train.schedule.ConstantSchedule;
import io.stepwise.training.train.schedule.CosineSchedule;
import io.stepwise.training.train.schedule.LearningRateSchedule;
import io.stepwise.training.train.schedule.StepSchedule;
import io.stepwise.training.train.schedule.WarmUpSchedule;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Hyperparameters of a {@link Trainer} run. Build with {@link #builder()}; {@link Builder#build()} rejects
 * out-of-range values with a message naming the setting, the value and the accepted range.
 *
 * @param epochs           maximum number of epochs (≥ 1)
 * @param learningRate     peak Adam learning rate (> 0)
 * @param schedule         how the rate evolves after warm-up
 * @param minLearningRate  final rate of the cosine schedule (0 ≤ min ≤ learningRate)
 * @param warmUpSteps      steps of linear warm-up from {@code learningRate / warmUpSteps} to {@code learningRate}
 *                         (≥ 0; 0 = none)
 * @param stepEpochs       step schedule: multiply the rate by {@code stepFactor} every this many epochs (≥ 1)
 * @param stepFactor       step schedule factor, in (0, 1]
 * @param beta1            Adam first-moment decay, in [0, 1)
 * @param beta2            Adam second-moment decay, in [0, 1)
 * @param epsilon          Adam denominator term (> 0)
 * @param weightDecay      decoupled (AdamW) weight decay (≥ 0)
 * @param clipGradNorm     largest global L2 norm of the gradients; larger ones are scaled down (0 = no clipping)
 * @param monitor          metric that decides early stopping and the best epoch: {@code train_loss} or a key
 *                         returned by {@link TrainingTask#validate}
 * @param higherIsBetter   whether a larger monitor value is better (accuracy) or a smaller one (loss)
 * @param patience         epochs without improvement before stopping (0 = never stop early)
 * @param seed             seed of every random choice: initialisation, shuffling, dropout
 */
public record TrainerConfig(
        int epochs,
        float learningRate,
        Schedule schedule,
        float minLearningRate,
        int warmUpSteps,
        int stepEpochs,
        float stepFactor,
        float beta1,
        float beta2,
        float epsilon,
        float weightDecay,
        float clipGradNorm,
        String monitor,
        boolean higherIsBetter,
        int patience,
        long seed) {

    /** The metric name the trainer itself provides: mean training loss of the epoch. */
    public static final String TRAIN_LOSS = "train_loss";

    /** Learning-rate schedule after warm-up. */
    public enum Schedule {
        /** The same rate throughout. */
        CONSTANT,
        /** Half a cosine from {@code learningRate} to {@code minLearningRate} over all remaining steps. */
        COSINE,
        /** Multiplied by {@code stepFactor} every {@code stepEpochs} epochs. */
        STEP;

        /** Parses {@code constant}, {@code cosine} or {@code step} (any case). */
        public static Schedule fromId(String id) {
            for (Schedule s : values()) {
                if (s.name().equalsIgnoreCase(id == null ? "" : id.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("schedule: expected constant, cosine or step but got '" + id + "'");
        }
    }

    public TrainerConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs: expected ≥ 1 but got " + epochs);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate: expected a finite number > 0 but got " + learningRate);
        }
        if (schedule == null) {
            throw new IllegalArgumentException("schedule: required but was null");
        }
        if (!(minLearningRate >= 0 && minLearningRate <= learningRate)) {
            throw new IllegalArgumentException("minLearningRate: expected 0 ≤ value ≤ learningRate (" + learningRate
                    + ") but got " + minLearningRate);
        }
        if (warmUpSteps < 0) {
            throw new IllegalArgumentException("warmUpSteps: expected ≥ 0 but got " + warmUpSteps);
        }
        if (stepEpochs < 1) {
            throw new IllegalArgumentException("stepEpochs: expected ≥ 1 but got " + stepEpochs);
        }
        if (!(stepFactor > 0 && stepFactor <= 1)) {
            throw new IllegalArgumentException("stepFactor: expected a factor in (0, 1] but got " + stepFactor);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1: expected a value in [0, 1) but got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2: expected a value in [0, 1) but got " + beta2);
        }
        if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon: expected a finite number > 0 but got " + epsilon);
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay: expected a finite number ≥ 0 but got " + weightDecay);
        }
        if (!(clipGradNorm >= 0) || Float.isInfinite(clipGradNorm)) {
            throw new IllegalArgumentException("clipGradNorm: expected a finite number ≥ 0 (0 = off) but got "
                    + clipGradNorm);
        }
        if (monitor == null || monitor.isBlank()) {
            throw new IllegalArgumentException("monitor: expected a metric name but got '" + monitor + "'");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience: expected ≥ 0 (0 = no early stopping) but got " + patience);
        }
    }

    /**
     * The learning-rate schedule of a run with {@code stepsPerEpoch} optimizer steps per epoch: a linear
     * {@link WarmUpSchedule warm-up} from {@code learningRate / warmUpSteps} over {@code warmUpSteps} steps (when
     * there are any), then {@link ConstantSchedule constant}, {@link CosineSchedule cosine} decay to
     * {@code minLearningRate} over the remaining steps of all epochs (constant when {@code minLearningRate} equals
     * {@code learningRate}), or {@link StepSchedule step} decay by {@code stepFactor} every {@code stepEpochs}
     * epochs counted from the first step.
     *
     * @param stepsPerEpoch optimizer steps in one epoch (≥ 1)
     */
    public LearningRateSchedule learningRateSchedule(int stepsPerEpoch) {
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("stepsPerEpoch: expected ≥ 1 but got " + stepsPerEpoch);
        }
        int total = epochs * stepsPerEpoch;
        LearningRateSchedule main = switch (schedule) {
            case CONSTANT -> new ConstantSchedule(learningRate);
            case COSINE -> minLearningRate < learningRate
                    ? new CosineSchedule(learningRate, minLearningRate, Math.max(1, total - warmUpSteps))
                    : new ConstantSchedule(learningRate);
            case STEP -> new StepSchedule(learningRate, stepFactor, stepEpochs * stepsPerEpoch, warmUpSteps);
        };
        return warmUpSteps == 0 ? main : new WarmUpSchedule(main, warmUpSteps, learningRate / warmUpSteps);
    }

    /** The settings as a map of plain values (stored in checkpoints and training provenance). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("learning_rate", decimal(learningRate));
        m.put("schedule", schedule.name().toLowerCase(Locale.ROOT));
        m.put("min_learning_rate", decimal(minLearningRate));
        m.put("warm_up_steps", warmUpSteps);
        m.put("step_epochs", stepEpochs);
        m.put("step_factor", decimal(stepFactor));
        m.put("beta1", decimal(beta1));
        m.put("beta2", decimal(beta2));
        m.put("epsilon", decimal(epsilon));
        m.put("weight_decay", decimal(weightDecay));
        m.put("clip_grad_norm", decimal(clipGradNorm));
        m.put("monitor", monitor);
        m.put("higher_is_better", higherIsBetter);
        m.put("patience", patience);
        m.put("seed", seed);
        return m;
    }

    /** The float as its shortest decimal (0.9f → 0.9, not 0.8999999761581421), for readable provenance. */
    private static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builder: {@link #setEpochs} required; defaults: learning rate 1e-3, cosine schedule to 0, no warm-up, Adam
     * (0.9, 0.999, 1e-8), no weight decay, gradient norm clipped at 5, monitor {@code train_loss} (lower is
     * better), patience 5, seed 42.
     */
    public static final class Builder {
        private int epochs;
        private float learningRate = 1e-3f;
        private Schedule schedule = Schedule.COSINE;
        private float minLearningRate;
        private int warmUpSteps;
        private int stepEpochs = 1;
        private float stepFactor = 1f;
        private float beta1 = 0.9f;
        private float beta2 = 0.999f;
        private float epsilon = 1e-8f;
        private float weightDecay;
        private float clipGradNorm = 5f;
        private String monitor = TRAIN_LOSS;
        private boolean higherIsBetter;
        private int patience = 5;
        private long seed = 42;

        private Builder() {
        }

        public Builder setEpochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder optLearningRate(float learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** Constant rate after warm-up. */
        public Builder optConstantSchedule() {
            this.schedule = Schedule.CONSTANT;
            return this;
        }

        /** Cosine decay from the learning rate to {@code minLearningRate} over the run. */
        public Builder optCosineSchedule(float minLearningRate) {
            this.schedule = Schedule.COSINE;
            this.minLearningRate = minLearningRate;
            return this;
        }

        /** Step decay: multiply by {@code factor} every {@code everyEpochs} epochs. */
        public Builder optStepSchedule(int everyEpochs, float factor) {
            this.schedule = Schedule.STEP;
            this.stepEpochs = everyEpochs;
            this.stepFactor = factor;
            return this;
        }

        public Builder optWarmUpSteps(int warmUpSteps) {
            this.warmUpSteps = warmUpSteps;
            return this;
        }

        public Builder optAdam(float beta1, float beta2, float epsilon) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.epsilon = epsilon;
            return this;
        }

        public Builder optWeightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Largest global gradient norm; 0 turns clipping off. */
        public Builder optClipGradNorm(float clipGradNorm) {
            this.clipGradNorm = clipGradNorm;
            return this;
        }

        /** Early stopping and best-epoch metric; {@code higherIsBetter} for accuracies, false for losses. */
        public Builder optMonitor(String metric, boolean higherIsBetter) {
            this.monitor = metric;
            this.higherIsBetter = higherIsBetter;
            return this;
        }

        /** Epochs without improvement before stopping; 0 = never stop early. */
        public Builder optPatience(int patience) {
            this.patience = patience;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public TrainerConfig build() {
            if (epochs == 0) {
                throw new IllegalArgumentException("epochs: required but was not set");
            }
            return new TrainerConfig(epochs, learningRate, schedule, minLearningRate, warmUpSteps, stepEpochs,
                    stepFactor, beta1, beta2, epsilon, weightDecay, clipGradNorm, monitor, higherIsBetter, patience,
                    seed);
        }
    }
}
