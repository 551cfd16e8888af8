package io.spead4j.tools;

import picocli.CommandLine.Command;

/** {@code spead4j bench}: spead2_bench (mem, master, agent) and an in-process benchmark. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (spead2_bench): mem, master, agent, inproc",
        subcommands = {})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a benchmark is required: mem, master, agent or inproc");
    }
}
