package io.spead4j.tools;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A spead2 4.4.1 command line works unchanged with spead4j's tools: every option name of spead2_bench (per mode),
 * spead2_recv and spead2_send is accepted, as a switch or with a value as in spead2, with spead2's defaults;
 * spead4j's older names of the bench options still work and mean the same.
 */
class SpeadOptionNamesTest {
    /** A switch: an option of spead2's that takes no value (a {@code bool} in spead2). */
    private static final String SWITCH = null;

    /*
     * The option names below were read from spead2 4.4.1's source, not from spead4j's: src/spead2_cmdline.h
     * (protocol_options::enumerate, recv::receiver_options::enumerate, send::sender_options::enumerate: the
     * bool fields are the switches), src/spead2_bench.cpp (parse_args: receiver_map and sender_map rename or,
     * with "", drop those per mode; quiet and heap-size for mem and master; multicast for master; agent has
     * none), src/spead2_recv.cpp and src/spead2_send.cpp (parse_args). The ibverbs options exist in spead2 when
     * it is built with ibverbs; help (-h) in every tool. Each maps to a sample value (SWITCH for none).
     */

    /** spead2_bench mem (src/spead2_bench.cpp, command_mode::MEM). */
    private static final Map<String, String> BENCH_MEM = options(
            "--quiet", SWITCH, "--heap-size", "1048576",
            "--pyspead", SWITCH,
            "--packet", "9000", "--concurrent-heaps", "8", "--substreams", "2", "--ring-heaps", "8",
            "--mem-max-free", "12", "--mem-initial", "8", "--ring", SWITCH, "--memcpy-nt", SWITCH);

    /** spead2_bench master (src/spead2_bench.cpp, command_mode::MASTER). */
    private static final Map<String, String> BENCH_MASTER = options(
            "--quiet", SWITCH, "--heap-size", "1048576",
            "--pyspead", SWITCH,
            "--recv-bind", "127.0.0.1", "--packet", "9000", "--recv-buffer", "8388608", "--concurrent-heaps", "8",
            "--substreams", "2", "--ring-heaps", "8", "--mem-max-free", "12", "--mem-initial", "8",
            "--ring", SWITCH, "--memcpy-nt", SWITCH,
            "--recv-ibv", SWITCH, "--recv-ibv-vector", "0", "--recv-ibv-max-poll", "10",
            "--addr-bits", "48", "--send-bind", "127.0.0.1", "--send-buffer", "524288", "--burst", "65536",
            "--burst-rate-ratio", "1.05", "--max-heaps", "4", "--rate-method", "SW", "--ttl", "2",
            "--send-ibv", SWITCH, "--send-ibv-vector", "0", "--send-max-poll", "10",
            "--multicast", "239.1.2.3:8888");

    /** spead2_bench agent (src/spead2_bench.cpp, command_mode::AGENT): only the port and help. */
    private static final Map<String, String> BENCH_AGENT = options();

    /** spead2_recv (src/spead2_recv.cpp and src/spead2_cmdline.h). */
    private static final Map<String, String> RECV = options(
            "--tcp", SWITCH, "--pyspead", SWITCH,
            "--bind", "127.0.0.1", "--packet", "9000", "--buffer", "8388608", "--concurrent-heaps", "8",
            "--substreams", "2", "--ring-heaps", "8", "--mem-pool", SWITCH, "--mem-lower", "16384",
            "--mem-upper", "33554432", "--mem-max-free", "12", "--mem-initial", "8", "--ring", SWITCH,
            "--memcpy-nt", SWITCH, "--ibv", SWITCH, "--ibv-vector", "0", "--ibv-max-poll", "10",
            "--quiet", SWITCH, "--descriptors", SWITCH, "--joint", SWITCH, "--threads", "1", "--verify", SWITCH);

    /** spead2_send (src/spead2_send.cpp and src/spead2_cmdline.h). */
    private static final Map<String, String> SEND = options(
            "--heap-size", "1048576", "--items", "2", "--heaps", "10", "--verify", SWITCH,
            "--tcp", SWITCH, "--pyspead", SWITCH,
            "--addr-bits", "48", "--packet", "9000", "--bind", "127.0.0.1", "--buffer", "524288",
            "--burst", "65536", "--burst-rate-ratio", "1.05", "--max-heaps", "4", "--rate-method", "HW",
            "--rate", "1.5", "--ttl", "2", "--ibv", SWITCH, "--ibv-vector", "0", "--ibv-max-poll", "10");

    private static Map<String, String> options(String... namesAndValues) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            options.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        options.put("--help", SWITCH);
        options.put("-h", SWITCH);
        return options;
    }

    /** A tool's command words, spead2's options and the positional arguments a parse needs. */
    private record ToolOptions(List<String> command, Map<String, String> options, List<String> positional) {
    }

    private static final List<ToolOptions> TOOLS = List.of(
            new ToolOptions(List.of("bench", "mem"), BENCH_MEM, List.of()),
            new ToolOptions(List.of("bench", "master"), BENCH_MASTER, List.of("127.0.0.1:8888")),
            new ToolOptions(List.of("bench", "agent"), BENCH_AGENT, List.of("8888")),
            new ToolOptions(List.of("recv"), RECV, List.of("8888")),
            new ToolOptions(List.of("send"), SEND, List.of("127.0.0.1:8888")));

    /** @return the picocli model of a (sub)command */
    private static CommandSpec spec(List<String> command) {
        CommandLine cl = Main.commandLine();
        for (String word : command) {
            cl = cl.getSubcommands().get(word);
        }
        return cl.getCommandSpec();
    }

    /** @return the command object (its options set) that parsing the arguments gives */
    private static Object parse(String... args) {
        return parse(Main.commandLine(), args);
    }

    /** @return the command object (its options set) that parsing the arguments with a command line gives */
    private static Object parse(CommandLine cl, String... args) {
        CommandLine.ParseResult result = cl.parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return result.commandSpec().userObject();
    }

    private static String[] args(ToolOptions tool, String... options) {
        List<String> args = new ArrayList<>(tool.command());
        args.addAll(Arrays.asList(options));
        args.addAll(tool.positional());
        return args.toArray(String[]::new);
    }

    @Test
    void everySpead2OptionNameIsAcceptedAsASwitchOrWithAValueAsInSpead2() {
        for (ToolOptions tool : TOOLS) {
            CommandSpec spec = spec(tool.command());
            CommandLine cl = Main.commandLine(); // picocli resets every option before each parse
            for (Map.Entry<String, String> option : tool.options().entrySet()) {
                String name = option.getKey();
                String where = String.join(" ", tool.command()) + " " + name;
                OptionSpec found = spec.findOption(name);
                assertThat(found).as(where).isNotNull();
                if (option.getValue() == SWITCH) {
                    assertThat(found.arity().max()).as(where + " is a switch").isZero();
                    assertThat(parse(cl, args(tool, name))).as(where).isNotNull();
                } else {
                    assertThat(found.arity().min()).as(where + " takes a value").isEqualTo(1);
                    // alone, and in boost's --name=value form too
                    assertThat(parse(cl, args(tool, name, option.getValue()))).as(where).isNotNull();
                    assertThat(parse(cl, args(tool, name + "=" + option.getValue()))).as(where).isNotNull();
                }
            }
        }
    }

    @Test
    void allOfASpead2CommandLineIsAcceptedAtOnce() {
        for (ToolOptions tool : TOOLS) {
            List<String> options = new ArrayList<>();
            tool.options().forEach((name, value) -> {
                if (!name.equals("--help") && !name.equals("-h")) {
                    options.add(name);
                    if (value != SWITCH) {
                        options.add(value);
                    }
                }
            });
            assertThat(parse(args(tool, options.toArray(String[]::new))))
                    .as(String.join(" ", tool.command()) + " " + options).isNotNull();
        }
    }

    @Test
    void everyOptionOfSpead4jIsSpead2sOrSaysItIsSpead4jsOwn() {
        for (ToolOptions tool : TOOLS) {
            for (OptionSpec option : spec(tool.command()).options()) {
                boolean spead2 = Arrays.stream(option.names()).anyMatch(tool.options()::containsKey);
                boolean own = option.hidden() || option.versionHelp()
                        || String.join(" ", option.description()).startsWith("spead4j:");
                assertThat(spead2 || own).as(String.join(" ", tool.command()) + " " + option.longestName()
                        + ": neither a spead2 option nor marked spead4j's own").isTrue();
            }
        }
    }

    @Test
    void masterMapsSpead2NamesAndTheOlderSpellingsToTheSameValues() {
        String[] spead2 = {"bench", "master", "--recv-buffer", "8388608", "--send-buffer", "524288",
            "--recv-bind", "127.0.0.1", "--send-bind", "127.0.0.2", "--packet", "9000", "--heap-size", "1048576",
            "--addr-bits", "48", "--multicast", "239.1.2.3:8888", "--quiet", "127.0.0.1:8888"};
        String[] older = {"bench", "master", "--buffer", "8388608", "--send-buffer", "524288",
            "--bind", "127.0.0.1", "--send-bind", "127.0.0.2", "--packet", "9000", "--heap-size", "1048576",
            "--addr-bits", "48", "--multicast", "239.1.2.3:8888", "--quiet", "127.0.0.1:8888"};
        BenchCommand.Master a = (BenchCommand.Master) parse(spead2);
        BenchCommand.Master b = (BenchCommand.Master) parse(older);
        for (BenchCommand.Master m : List.of(a, b)) {
            assertThat(m.receiver.bufferSize()).isEqualTo(8388608);
            assertThat(m.receiver.bind).isEqualTo("127.0.0.1");
            assertThat(m.receiver.maxPacketSize()).isEqualTo(9000);
            assertThat(m.sendBuffer).isEqualTo(524288);
            assertThat(m.sendBind).isEqualTo("127.0.0.2");
            assertThat(m.common.heapSize).isEqualTo(1048576);
            assertThat(m.common.quiet).isTrue();
            assertThat(m.addrBits).isEqualTo(48);
            assertThat(m.multicast).isEqualTo("239.1.2.3:8888");
            assertThat(m.endpoint).isEqualTo("127.0.0.1:8888");
            assertThat(m.validate()).isNull();
        }
        // what the agent is told (spead2_bench's enumerate_wire: the receiver's own names, bind and buffer)
        assertThat(a.wireOptions()).isEqualTo(b.wireOptions())
                .contains("multicast = 239.1.2.3:8888", "bind = 127.0.0.1", "buffer = 8388608", "packet = 9000");
        // one option under two names is still one option: given twice, it is refused, as boost refuses it
        assertThatThrownBy(() -> parse("bench", "master", "--recv-buffer", "1", "--buffer", "2", "127.0.0.1:1"))
                .isInstanceOf(CommandLine.OverwrittenOptionException.class);
    }

    @Test
    void recvIbverbsOlderSpellingsAreTheSameOptionsAsSpead2s() {
        CommandSpec master = spec(List.of("bench", "master"));
        assertThat(master.findOption("--ibv")).isSameAs(master.findOption("--recv-ibv"));
        assertThat(master.findOption("--ibv-vector")).isSameAs(master.findOption("--recv-ibv-vector"));
        assertThat(master.findOption("--ibv-max-poll")).isSameAs(master.findOption("--recv-ibv-max-poll"));
        assertThat(master.findOption("--send-ibv-max-poll")).isSameAs(master.findOption("--send-max-poll"));
    }

    @Test
    void masterDefaultsAreSpead2Bench() {
        BenchCommand.Master m = (BenchCommand.Master) parse("bench", "master", "127.0.0.1:8888");
        assertThat(m.validate()).isNull();
        BenchCommand.applyPool(m.receiver, m.common.heapSize);
        // the lines spead2_bench 4.4.1 master (built without ibverbs) sends with no options: its defaults
        // (spead2_bench.cpp options, spead2_cmdline.h, the stream and reader default constants)
        assertThat(m.wireOptions()).containsExactly("multicast = ", "tcp = 0", "pyspead = 0", "bind = ",
                "packet = 9200", "buffer = 8388608", "concurrent-heaps = 4", "substreams = 1", "ring-heaps = 4",
                "mem-pool = 1", "mem-lower = 4194304", "mem-upper = 4195328", "mem-max-free = 12",
                "mem-initial = 8", "ring = 0", "memcpy-nt = 0");
        assertThat(m.common.quiet).isFalse();
        assertThat(m.addrBits).isEqualTo(40);
        assertThat(m.sendBind).isEmpty();
        assertThat(m.sendBuffer).as("unset: the UDP stream's default, 512 KiB").isNull();
        assertThat(m.burst).isEqualTo(65536);
        assertThat(m.burstRateRatio).isEqualTo(1.05);
        assertThat(m.maxHeaps).isEqualTo(4);
        assertThat(m.rateMethod).isEqualTo(io.spead4j.send.RateMethod.AUTO);
        assertThat(m.ttl).isEqualTo(1);
    }

    @Test
    void memDefaultsAreSpead2Bench() {
        BenchCommand.Mem m = (BenchCommand.Mem) parse("bench", "mem");
        assertThat(m.common.heapSize).isEqualTo(4194304);
        assertThat(m.common.quiet).isFalse();
        assertThat(m.receiver.maxPacketSize()).isEqualTo(9200);
        assertThat(m.receiver.concurrentHeaps).isEqualTo(4);
        assertThat(m.receiver.substreams).isEqualTo(1);
        assertThat(m.receiver.ringHeaps).isEqualTo(4);
        assertThat(m.receiver.memMaxFree).isEqualTo(12);
        assertThat(m.receiver.memInitial).isEqualTo(8);
        assertThat(m.receiver.ring).isFalse();
        assertThat(m.receiver.pyspead).isFalse();
    }

    @Test
    void ibverbsIsRefusedUnderEverySpead2NameOfMaster() {
        for (String[] option : List.of(new String[] {"--recv-ibv"}, new String[] {"--recv-ibv-vector", "0"},
                new String[] {"--recv-ibv-max-poll", "10"}, new String[] {"--send-ibv"},
                new String[] {"--send-ibv-vector", "0"}, new String[] {"--send-max-poll", "10"},
                new String[] {"--ibv"})) {
            List<String> args = new ArrayList<>(List.of("bench", "master"));
            args.addAll(Arrays.asList(option));
            args.add("127.0.0.1:1");
            Tool r = Tool.run(args.toArray(String[]::new));
            assertThat(r.status()).as(args.toString()).isEqualTo(2);
            assertThat(r.err()).as(args.toString()).contains("is not supported by spead4j");
        }
    }

    @Test
    void optionsSpead2BenchDoesNotHaveInAModeAreUnknownThere() {
        // spead2_bench drops the memory pool options (the pool follows --heap-size) and, in mem, the socket ones
        for (String[] args : List.of(new String[] {"bench", "mem", "--bind", "127.0.0.1"},
                new String[] {"bench", "mem", "--buffer", "1000"}, new String[] {"bench", "mem", "--tcp"},
                new String[] {"bench", "mem", "--ibv"}, new String[] {"bench", "mem", "--mem-pool"},
                new String[] {"bench", "master", "--mem-lower", "1", "127.0.0.1:1"},
                new String[] {"bench", "master", "--rate", "1", "127.0.0.1:1"},
                new String[] {"bench", "agent", "--packet", "9000", "8888"})) {
            Tool r = Tool.run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains("Unknown option");
        }
    }

    @Test
    void masterHelpListsSpead2NamesAndSaysWhichAreOlderSpellings() {
        Tool r = Tool.run("bench", "master", "--help");
        assertThat(r.status()).as(r.err()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help).contains("--bind, --recv-bind=ADDRESS", "--buffer, --recv-buffer=BYTES", "--send-bind=ADDRESS",
                "--send-buffer=BYTES", "--send-max-poll, --send-ibv-max-poll=N",
                "Options are spead2_bench's; --bind, --buffer, --ibv, --ibv-vector and --ibv-max-poll are "
                        + "spead4j's older names of --recv-bind, --recv-buffer, --recv-ibv, --recv-ibv-vector and "
                        + "--recv-ibv-max-poll.");
        assertThat(help).doesNotContain("--mem-pool", "--mem-lower", "--mem-upper");
    }

    @Test
    void compareUdpScriptCommandLinesAreAccepted() {
        // ../shared/reference/compare-udp.sh: `$S agent $port` and `$S master SHAPE --quiet 127.0.0.1:$port`
        for (String shape : List.of("", "--packet 1472", "--heap-size 131072 --packet 8264 --addr-bits 48")) {
            List<String> args = new ArrayList<>(List.of("bench", "master"));
            if (!shape.isEmpty()) {
                args.addAll(Arrays.asList(shape.split(" ")));
            }
            args.addAll(List.of("--quiet", "127.0.0.1:8950"));
            BenchCommand.Master m = (BenchCommand.Master) parse(args.toArray(String[]::new));
            assertThat(m.validate()).as(shape).isNull();
            assertThat(m.common.quiet).isTrue();
        }
        BenchCommand.Agent agent = (BenchCommand.Agent) parse("bench", "agent", "8950");
        assertThat(agent.port).isEqualTo(8950);
    }

    @Test
    void agentRefusesAMasterAskingForIbverbs() throws Exception {
        ListeningTool.Running agent = ListeningTool.start(true,
                port -> new String[] {"bench", "agent", "--sessions", "1", "--warmup-heaps", "0",
                    Integer.toString(port)});
        try (Socket control = new Socket(InetAddress.getLoopbackAddress(), agent.port())) {
            PrintWriter w = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
            // as spead2_bench master built with ibverbs sends them after --recv-ibv --recv-bind 127.0.0.1
            w.print("start\nmulticast = \ntcp = 0\npyspead = 0\nbind = 127.0.0.1\npacket = 9200\nbuffer = 8388608\n"
                    + "concurrent-heaps = 4\nsubstreams = 1\nring-heaps = 4\nmem-pool = 1\nmem-lower = 10000\n"
                    + "mem-upper = 11024\nmem-max-free = 12\nmem-initial = 8\nring = 0\nmemcpy-nt = 0\nibv = 1\n"
                    + "ibv-vector = 0\nibv-max-poll = 10\nend_config\n");
            w.flush();
            assertThat(in.readLine()).isEqualTo("error");
            w.print("exit\n");
            w.flush();
        }
        Tool r = agent.tool().get();
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("Start failed").contains("not supported by spead4j");
    }

    @Test
    void agentIgnoresTheIbverbsTuningOfAMasterNotAskingForIbverbs() {
        // spead2_bench master built with ibverbs always sends ibv, ibv-vector and ibv-max-poll
        ReceiverOptions options = new ReceiverOptions();
        String multicast = BenchCommand.Agent.configure(options, List.of("multicast = 239.1.2.3:8888", "ibv = 0",
                "ibv-vector = 0", "ibv-max-poll = 10", "buffer = 1000"));
        assertThat(multicast).isEqualTo("239.1.2.3:8888");
        assertThat(options.validate()).isNull();
        assertThat(options.bufferSize()).isEqualTo(1000);
    }
}
