package io.spead4j.tools;

import picocli.CommandLine.Option;

/** The options spead2_bench's {@code mem} and {@code master} modes share. */
final class BenchOptions {
    @Option(names = "--quiet", description = "Print only the final result")
    boolean quiet;

    @Option(names = "--heap-size", paramLabel = "BYTES", description = "Payload size for heap (default ${DEFAULT-VALUE})")
    long heapSize = 4194304;
}
