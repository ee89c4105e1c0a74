/**
 * How a trained model is judged against its baseline: {@link io.stepwise.training.tasks.evaluation.BaselineVerdict},
 * the one verdict that {@code train}, {@code evaluate}, the model card and (through the model's
 * {@code stepwise.baseline} metadata) {@code inspect} all report.
 */
package io.stepwise.training.tasks.evaluation;
