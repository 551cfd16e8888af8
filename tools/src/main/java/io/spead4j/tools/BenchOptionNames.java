package io.spead4j.tools;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * spead2_bench's names for the receiver options, per mode. {@code bench mem} and {@code bench master} take the
 * {@link ReceiverOptions} mixin, whose names are spead2_recv's; spead2_bench 4.4.1 renames or drops some of them
 * per mode. In {@code master} the receiver's socket options (passed on to the agent) are prefixed {@code recv-},
 * next to the sender's {@code send-} ones. {@code mem} reads from memory, so it has no socket options. Neither
 * mode has the memory pool options, since the pool is sized from {@code --heap-size}. The picocli model
 * transformers here apply that table to the options the annotations declare, in place (the help keeps their
 * order), keeping spead4j's earlier names as aliases, so that a spead2_bench command line works unchanged and an
 * older spead4j one still does.
 */
final class BenchOptionNames {
    private BenchOptionNames() {
    }

    /**
     * What becomes of one option.
     *
     * @param names its new names, the spead2_bench one first; none to remove the option
     * @param description its new description
     */
    private record Change(String[] names, String... description) {
        static Change remove() {
            return new Change(new String[0]);
        }

        static Change rename(String[] names, String... description) {
            return new Change(names, description);
        }
    }

    /** The option names of {@code bench master}: receiver socket options prefixed {@code recv-}. */
    static final class Master implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            Map<String, Change> changes = new LinkedHashMap<>();
            changes.put("--bind", Change.rename(new String[] {"--recv-bind", "--bind"},
                    "Interface address of the agent's receiver: the address it listens on, or the interface it "
                            + "joins --multicast on"));
            changes.put("--packet", Change.rename(new String[] {"--packet"},
                    "Maximum packet size, both sent and accepted by the agent (default 9200; 65536 with --tcp)"));
            changes.put("--buffer", Change.rename(new String[] {"--recv-buffer", "--buffer"},
                    "Socket buffer size of the agent's receiver (default 8 MiB; 208 KiB with --tcp)"));
            changes.put("--tcp", Change.rename(new String[] {"--tcp"},
                    "spead4j: use TCP instead of UDP (spead2_bench has no --tcp). The agent listens for data on the "
                            + "data endpoint, which must then differ from the control port: give it with "
                            + "--multicast HOST:PORT"));
            changes.put("--mem-pool", Change.remove());
            changes.put("--mem-lower", Change.remove());
            changes.put("--mem-upper", Change.remove());
            changes.put("--ibv", Change.rename(new String[] {"--recv-ibv", "--ibv"},
                    "Use ibverbs in the agent (not supported by spead4j)"));
            changes.put("--ibv-vector", Change.rename(new String[] {"--recv-ibv-vector", "--ibv-vector"},
                    "Interrupt vector of the agent's ibverbs receiver (not supported by spead4j)"));
            changes.put("--ibv-max-poll", Change.rename(new String[] {"--recv-ibv-max-poll", "--ibv-max-poll"},
                    "Maximum polls in a row of the agent's ibverbs receiver (not supported by spead4j)"));
            return apply(spec, changes);
        }
    }

    /** The option names of {@code bench mem}: no socket and no memory pool options. */
    static final class Mem implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            Map<String, Change> changes = new LinkedHashMap<>();
            for (String name : List.of("--tcp", "--bind", "--buffer", "--mem-pool", "--mem-lower", "--mem-upper",
                    "--ibv", "--ibv-vector", "--ibv-max-poll")) {
                changes.put(name, Change.remove());
            }
            changes.put("--packet", Change.rename(new String[] {"--packet"},
                    "Maximum packet size, both written and accepted (default 9200)"));
            return apply(spec, changes);
        }
    }

    /**
     * Applies the changes to the command's options, in place.
     *
     * @param spec the command, as its annotations declare it
     * @param changes each option to change, by its name in the annotations
     * @return the command
     * @throws IllegalStateException if an option to change is not declared (a renamed annotation)
     */
    private static CommandSpec apply(CommandSpec spec, Map<String, Change> changes) {
        List<OptionSpec> options = new ArrayList<>(spec.options());
        options.forEach(spec::remove);
        Set<String> applied = new HashSet<>();
        for (OptionSpec option : options) {
            String name = option.longestName();
            Change change = changes.get(name);
            if (change == null) {
                spec.addOption(option);
                continue;
            }
            applied.add(name);
            if (change.names().length > 0) {
                spec.addOption(option.toBuilder().names(change.names()).description(change.description()).build());
            }
        }
        if (!applied.equals(changes.keySet())) {
            Set<String> missing = new HashSet<>(changes.keySet());
            missing.removeAll(applied);
            throw new IllegalStateException(spec.name() + " declares no option " + missing);
        }
        return spec;
    }
}
