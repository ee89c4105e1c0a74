/** File writing shared by the training module and the benchmarks: atomic, fsynced writes. */
package io.stepwise.training.io;
