/**
 * Textbook claims about recurrent networks, measured with Stepwise's own training code: {@code stepwise experiment
 * NAME} and {@code make experiments} write {@code docs/experiments/NAME.md} (claims with "held" / "held partly" /
 * "did not hold", setup, tables), PNG plots and {@code NAME.json} (every figure's points and the per-seed results),
 * and refresh {@code docs/experiments/README.md}.
 *
 * <p>The experiments ({@link io.stepwise.training.experiments.Experiments#all()}): gradient flow through time
 * ({@link io.stepwise.training.experiments.GradientFlowExperiment}, over an unrolled cell,
 * {@link io.stepwise.training.experiments.UnrolledRecurrence}, checked against the fused kernel); the adding
 * problem ({@link io.stepwise.training.experiments.AddingProblemExperiment}); truncated back-propagation through
 * time on a delayed copy ({@link io.stepwise.training.experiments.TruncatedBpttExperiment}); GRU vs LSTM cost and
 * quality on the default tasks ({@link io.stepwise.training.experiments.CellCostExperiment}); and a causal dilated
 * convolutional network ({@link io.stepwise.training.experiments.TemporalConvNet}) against recurrent ones
 * ({@link io.stepwise.training.experiments.ConvVsRecurrentExperiment}).
 *
 * <p>Every network trains through {@link io.stepwise.training.train.Trainer}, the loop the default models use.
 * Budgets are fixed counts — steps, sizes, seeds — from an {@link io.stepwise.training.experiments.ExperimentScale}
 * (full for the committed results, quick for the tests), never wall-clock limits; each run records its wall-clock
 * and CPU time.
 */
package io.stepwise.training.experiments;
