package io.stepwise.training.tasks;

import io.stepwise.cli.StepwiseHome;
import java.nio.file.Path;

/**
 * Finds the data shipped with Stepwise, as {@link StepwiseHome} does for the command line: a relative default path
 * is tried against the working folder first, then against the Stepwise folder named by the system property
 * {@value #HOME_PROPERTY} (the {@code bin/stepwise} launcher sets it), so the command works from any folder.
 */
public final class DefaultPaths {
    /** System property with the Stepwise folder. */
    public static final String HOME_PROPERTY = StepwiseHome.PROPERTY;

    private DefaultPaths() {
    }

    /** {@code path} if it exists as given, else under the Stepwise folder when it exists there, else as given. */
    public static Path resolve(Path path) {
        return StepwiseHome.resolve(path);
    }
}
