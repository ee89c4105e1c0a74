/**
 * Text generation with character-level language models: {@link io.stepwise.runtime.text.TextGenerator} (sampling
 * with temperature, top-k, top-p and a seed; greedy; beam search; repetition penalty; stop strings; streaming
 * through a {@link io.stepwise.runtime.text.TokenListener}), configured by
 * {@link io.stepwise.runtime.text.GenerationConfig} and reported by {@link io.stepwise.runtime.text.GenerationResult},
 * and the shared {@link io.stepwise.runtime.text.CharTokenizer}; the event names of next-event models ↔ ids:
 * {@link io.stepwise.runtime.text.EventVocabulary}. Runs on any
 * {@link io.stepwise.runtime.SessionSource}.
 */
package io.stepwise.runtime.text;
