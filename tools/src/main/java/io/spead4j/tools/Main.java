package io.spead4j.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spead4j} command: subcommands mirroring spead2's tools.
 */
@Command(name = "spead4j", mixinStandardHelpOptions = true, version = "spead4j 0.1.0-SNAPSHOT",
        description = "SPEAD tools for the JVM (spead2-compatible)",
        subcommands = {DemoCommand.class, DumpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line.
     *
     * @param args arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting.
     *
     * @param args arguments
     * @return the exit status
     */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
