package io.stepwise.training.experiments;

/**
 * One measured textbook claim (or a few related ones). An experiment trains and measures with fixed budgets and
 * seeds taken from its {@link ExperimentContext#scale()}, and returns a report; {@link Experiments#run} times it
 * and writes the files.
 */
public interface Experiment {
    /** The command-line name, e.g. {@code adding}. */
    String name();

    /** One line for {@code stepwise experiment --list}. */
    String description();

    /** Runs the experiment and returns its report (not yet written). */
    ExperimentReport run(ExperimentContext context) throws Exception;
}
