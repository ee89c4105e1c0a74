package io.stepwise.training.tasks;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the data shipped with Stepwise. A relative default path is tried against the working folder first, then
 * against the Stepwise folder named by the system property {@value #HOME_PROPERTY} (the {@code bin/stepwise}
 * launcher sets it), so the command works from any folder.
 */
public final class DefaultPaths {
    /** System property with the Stepwise folder. */
    public static final String HOME_PROPERTY = "stepwise.home";

    private DefaultPaths() {
    }

    /** {@code path} if it exists as given, else under the Stepwise folder when it exists there, else as given. */
    public static Path resolve(Path path) {
        if (path.isAbsolute() || Files.exists(path)) {
            return path;
        }
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            Path candidate = Path.of(home).resolve(path);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return path;
    }
}
