/**
 * The three training tasks — character language model, forecaster, language-ID classifier — each tying its data,
 * training and evaluation together, with the options, the default model recipes, model cards and the re-evaluation
 * of exported models through the runtime.
 */
package io.stepwise.training.tasks;
