package io.spead4j.tools;

import picocli.CommandLine.Option;

/**
 * spead2's ibverbs options, shared by {@code recv}, {@code send} and {@code bench master} (which names them
 * {@code --recv-ibv}, ... as spead2_bench does, see {@link BenchOptionNames}): parsed so that spead2 command lines
 * are recognised, then refused with one clear reason, since spead4j has no ibverbs.
 */
final class IbverbsOptions {
    @Option(names = "--ibv", description = "Use ibverbs (not supported by spead4j)")
    boolean ibv;

    @Option(names = "--ibv-vector", paramLabel = "N", description = "Interrupt vector (not supported by spead4j)")
    Integer ibvVector;

    @Option(names = "--ibv-max-poll", paramLabel = "N", description = "Maximum polls in a row (not supported by spead4j)")
    Integer ibvMaxPoll;

    /** @return whether any ibverbs option was given */
    boolean given() {
        return ibv || ibvVector != null || ibvMaxPoll != null;
    }

    /** @return why the options cannot be used, or null when no ibverbs option was given */
    String validate() {
        if (given()) {
            return "ibverbs (--ibv, --ibv-vector, --ibv-max-poll) is not supported by spead4j; use UDP or TCP";
        }
        return null;
    }
}
