package io.stepwise.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The Stepwise version of this runtime, e.g. {@code 0.1.0-SNAPSHOT}. The version is kept in one place, the root
 * {@code pom.xml}; the build writes it into a resource that this class reads, and the command line, training
 * provenance and every module that reports a version ask here (conversion, which cannot depend on the runtime,
 * reads its own copy of the same resource).
 */
public final class StepwiseVersion {
    private static final String VERSION = read();

    private StepwiseVersion() {
    }

    /** The version string, never blank. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        Properties p = new Properties();
        try (InputStream in = StepwiseVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/stepwise/runtime/version.properties is missing from the class"
                        + " path; the runtime jar is incomplete");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/stepwise/runtime/version.properties", e);
        }
        String version = p.getProperty("version", "");
        if (version.isBlank() || version.contains("${")) {
            throw new IllegalStateException("io/stepwise/runtime/version.properties was not filled in by the build: '"
                    + version + "'");
        }
        return version;
    }
}
