package io.stepwise.training.experiments;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * What an experiment runs with.
 *
 * @param scale     budgets: {@link ExperimentScale#QUICK} (tests) or {@link ExperimentScale#FULL}
 * @param outputDir where the report's files go (docs/experiments by default)
 * @param workDir   scratch space for training run folders; removed by nobody but the caller
 * @param log       progress lines
 */
public record ExperimentContext(ExperimentScale scale, Path outputDir, Path workDir, PrintWriter log) {
    public ExperimentContext {
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(log, "log");
    }

    /** Whether this is the quick (test) scale. */
    public boolean quick() {
        return scale == ExperimentScale.QUICK;
    }

    /** Prints a progress line prefixed with the time of day. */
    public void progress(String format, Object... args) {
        log.printf(Locale.ROOT, "[%tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format, args));
        log.flush();
    }
}
