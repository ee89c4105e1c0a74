/**
 * The three Stepwise tasks as their exported models see them: {@link io.stepwise.training.tasks.TaskKind} (names
 * and model-file ids), {@link io.stepwise.training.tasks.ModelEvaluation} (re-measuring an exported model through
 * the runtime with the protocol it records, for {@code stepwise evaluate} and {@code verify}),
 * {@link io.stepwise.training.tasks.ModelCards} (model cards and the models folder's index) and
 * {@link io.stepwise.training.tasks.DefaultPaths} (finding the shipped data).
 *
 * <p>Layers, each depending only on those before it:
 * <ol>
 *   <li>{@link io.stepwise.training.tasks.protocol} — each task's data, split, metrics and evaluation protocol;</li>
 *   <li>this package — evaluation of exported models (runtime and protocols only);</li>
 *   <li>{@link io.stepwise.training.tasks.training} — training: the tasks as
 *       {@link io.stepwise.training.train.TrainingTask}s and the run from options to an exported model.</li>
 * </ol>
 * Nothing in this package or in {@code protocol} depends on training code ({@code io.stepwise.training.train} or
 * {@code tasks.training}); {@code EvaluationDependenciesTest} checks it on the compiled classes.
 */
package io.stepwise.training.tasks;
