package io.stepwise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every {@code stepwise} root command shares — this module's {@link RunCli} and the training module's full
 * command line: the inherited {@code --verbose} option (read by {@link CliRunner}) and the usage when no command is
 * given. Subclasses carry the {@code @Command} annotation with their subcommands.
 */
public abstract class RootCommand implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command: the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
