package io.stepwise.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the files shipped with Stepwise. A relative path is tried against the working folder first, then against
 * the Stepwise folder named by the system property {@value #PROPERTY} (the {@code bin/stepwise} launcher sets it),
 * so commands work from any folder.
 */
public final class StepwiseHome {
    /** System property with the Stepwise folder. */
    public static final String PROPERTY = "stepwise.home";

    private StepwiseHome() {
    }

    /** {@code path} if it exists as given, else under the Stepwise folder when it exists there, else as given. */
    public static Path resolve(Path path) {
        if (path.isAbsolute() || Files.exists(path)) {
            return path;
        }
        String home = System.getProperty(PROPERTY);
        if (home != null && !home.isBlank()) {
            Path candidate = Path.of(home).resolve(path);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return path;
    }
}
