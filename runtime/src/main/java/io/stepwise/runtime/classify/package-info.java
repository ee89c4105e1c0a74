/**
 * Sequence classification: {@link io.stepwise.runtime.classify.SequenceClassifier} labels whole character
 * sequences (bidirectional models included) through batched
 * {@link io.stepwise.runtime.RecurrentModel#forward(long[][])} calls and returns
 * {@link io.stepwise.runtime.classify.Classification}s: every label with its probability.
 */
package io.stepwise.runtime.classify;
