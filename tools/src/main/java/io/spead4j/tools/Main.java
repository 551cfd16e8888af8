package io.spead4j.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The {@code spead4j} command: subcommands mirroring spead2's tools ({@code recv} = spead2_recv, {@code send} =
 * spead2_send, {@code bench} = spead2_bench, {@code dump} = mcdump and a packet decoder). Bad arguments print
 * the reason and the usage on stderr and exit with status 2.
 */
@Command(name = "spead4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "SPEAD tools for the JVM (spead2-compatible)",
        subcommands = {RecvCommand.class, SendCommand.class, BenchCommand.class, DumpCommand.class,
            DemoCommand.class})
public final class Main implements Runnable {
    /** Exit status for bad arguments (as spead2's tools). */
    static final int USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** {@code spead4j --version}: the library's {@link io.spead4j.Spead4j#VERSION} and the JVM it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "spead4j " + io.spead4j.Spead4j.VERSION,
                "wire-compatible with spead2 " + io.spead4j.Spead4j.SPEAD2_VERSION,
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }

    /**
     * Runs the command line.
     *
     * @param args arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting, printing to {@code System.out} and {@code System.err}.
     *
     * @param args arguments
     * @return the exit status
     */
    public static int run(String... args) {
        return run(System.out, System.err, args);
    }

    /**
     * Runs the command line without exiting, printing to the given streams (for tests and embedding).
     *
     * @param out standard output
     * @param err standard error
     * @param args arguments
     * @return the exit status (0 success, 1 failure, 2 bad arguments)
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        PrintWriter outWriter = new RawPrintWriter(out);
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        try {
            return commandLine().setOut(outWriter).setErr(errWriter).execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** @return the configured command line (subcommands registered, usage on bad arguments, exit 2) */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println(e.getMessage());
            failed.usage(err);
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ToolException t) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + t.getMessage());
                return t.status();
            }
            throw e;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required (recv, send, bench, dump)");
    }

    /** A failure that the tool reports as one line on stderr with an exit status. */
    static final class ToolException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ToolException(int status, String message) {
            super(message);
            this.status = status;
        }

        ToolException(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        int status() {
            return status;
        }
    }
}
