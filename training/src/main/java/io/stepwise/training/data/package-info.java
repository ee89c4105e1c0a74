/**
 * Training data and baselines, plain Java without DJL: character corpora and vocabularies (Europarl English, text
 * files), BPTT batching, CSV time series with gaps, windows, splits and standardisation, the word-language data set,
 * the baselines the models are measured against (Kneser–Ney n-grams, seasonal naive, naive Bayes), metrics,
 * confusion matrices and plots.
 */
package io.stepwise.training.data;
