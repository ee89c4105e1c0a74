package io.stepwise.cli;

import io.stepwise.runtime.StepwiseVersion;
import picocli.CommandLine;

/** {@code stepwise --version}: the version from {@link StepwiseVersion}, the project's one source of it. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    /** {@code stepwise <version>}. */
    @Override
    public String[] getVersion() {
        return new String[] {"stepwise " + StepwiseVersion.get()};
    }
}
