package io.stepwise.training.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the project's shipped data/ folder from the test's working directory. */
final class TestData {
    private TestData() {
    }

    static Path dataDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("data");
            if (Files.isDirectory(candidate.resolve("words")) && Files.isDirectory(candidate.resolve("timeseries"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("data/ with words/ and timeseries/ not found above "
                + Path.of("").toAbsolutePath());
    }

    static Path co2() {
        return dataDir().resolve("timeseries/co2_weekly.csv");
    }
}
