package io.spead4j.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spead4j.net.NativeUdpSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Multicast across hosts, as telescopes run SPEAD: in {@link NetnsHosts network namespaces} on one bridge, a
 * sender host spreads 8 substreams over 8 multicast groups (one {@code send.UdpStream} with a destination per
 * substream) and 4 receiver hosts, each a JVM of its own running {@link MulticastHost}, join 2 groups each. Every
 * receiver must get exactly the heaps of its 2 groups, each value as sent, and none of the other groups: per
 * group socket, and on a socket bound to the wildcard address that sees whatever the host's kernel accepted.
 * Runs a round over each UDP socket path (NIO and the FFM native one) in the same hosts and JVMs.
 */
@Timeout(120)
class MulticastHostsTest {
    private static final int SUBSTREAMS = 8;
    private static final int RECEIVERS = 4;
    private static final int HEAPS = 20;
    private static final int PORT = 7148;
    /** How long the receivers wait for their end heaps once ready. */
    private static final long RECEIVE_TIMEOUT_MILLIS = 30_000;
    /** How long any one step (a JVM starting, a run ending) may take before the test fails. */
    private static final long STEP_TIMEOUT_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One group of substream {@code s}. */
    private static String group(int s) {
        return "239.255.77." + (s + 1);
    }

    /** A heap as the receivers report it. */
    private record Received(long substream, long seq) {
    }

    @Test
    void eachReceiverHostGetsExactlyTheHeapsOfItsTwoGroupsOverBothSocketPaths() throws Exception {
        // the hosts' wildcard socket, which shows what each host accepted, is a native one on either path
        Assumptions.assumeTrue(NativeUdpSocket.isSupported(),
                () -> "native UDP sockets unsupported here: " + NativeUdpSocket.unsupportedReason());
        List<HostProcess> processes = new ArrayList<>();
        List<String> namespaces;
        // a namespace left behind by a process that no longer runs (its pid is above Linux's largest pid_max),
        // which create removes; where ip is missing or refuses, create skips the test
        String stale = NetnsHosts.PREFIX + ((1L << 22) + 1) + "-000000-h0";
        try {
            new ProcessBuilder("ip", "netns", "add", stale).start().waitFor(20, TimeUnit.SECONDS);
        } catch (IOException noIp) {
            // create says why
        }
        NetnsHosts net = NetnsHosts.create(1 + RECEIVERS);
        try {
            assertThat(net.existing()).doesNotContain(stale);
            namespaces = net.namespaces();
            List<NetnsHosts.Host> hosts = net.hosts();
            List<HostProcess> receivers = new ArrayList<>();
            for (int r = 0; r < RECEIVERS; r++) {
                NetnsHosts.Host host = hosts.get(1 + r);
                HostProcess p = HostProcess.start(net, host, "receiver " + r, "receive",
                        host.address().getHostAddress(), Long.toString(RECEIVE_TIMEOUT_MILLIS),
                        group(2 * r), group(2 * r + 1));
                processes.add(p);
                receivers.add(p);
            }
            List<String> args = new ArrayList<>(List.of("send", hosts.getFirst().address().getHostAddress(),
                    Integer.toString(HEAPS)));
            for (int s = 0; s < SUBSTREAMS; s++) {
                args.add(group(s));
            }
            HostProcess sender = HostProcess.start(net, hosts.getFirst(), "sender", args.toArray(String[]::new));
            processes.add(sender);
            int port = PORT;
            for (UdpPath path : UdpPath.values()) {
                // a port per round, so that nothing of one round can be taken for the next
                String round = path.name().toLowerCase(Locale.ROOT) + " " + port++;
                for (HostProcess p : receivers) {
                    p.command(round);
                }
                for (HostProcess p : receivers) {
                    p.await("ready");
                }
                sender.command(round);
                assertThat(sender.await("sent").get("sent").asLong()).as(sender.transcript())
                        .isEqualTo((long) SUBSTREAMS * HEAPS);
                for (int r = 0; r < RECEIVERS; r++) {
                    verify(path, r, receivers.get(r));
                }
            }
        } finally {
            for (HostProcess p : processes) {
                p.destroy();
            }
            net.close();
        }
        assertThat(net.existing()).as("namespaces left behind").doesNotContainAnyElementsOf(namespaces);
    }

    /** Checks the heaps receiver {@code r} reports for one round. */
    private static void verify(UdpPath path, int r, HostProcess p) throws Exception {
        p.await("done");
        List<JsonNode> lines = p.takeLines();
        String what = "over " + path + ", receiver " + r;
        assertThat(lines).as("%s%n%s", what, p.transcript()).noneMatch(l -> l.has("timeout"));
        List<Received> all = new ArrayList<>();
        for (int s : new int[] {2 * r, 2 * r + 1}) {
            List<Received> expected = new ArrayList<>();
            for (int seq = 0; seq < HEAPS; seq++) {
                expected.add(new Received(s, seq));
            }
            all.addAll(expected);
            assertThat(heaps(lines, group(s))).as("%s, socket of group %s%n%s", what, group(s), p.transcript())
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(heaps(lines, "host")).as("%s, socket bound to the wildcard address%n%s", what, p.transcript())
                .containsExactlyInAnyOrderElementsOf(all);
        for (JsonNode line : lines) {
            if (line.has("socket")) {
                assertThat(line.get("valid").asBoolean()).as("%s: %s%n%s", what, line, p.transcript()).isTrue();
                assertThat(line.get("sum").asLong()).as("%s: %s", what, line).isEqualTo(
                        MulticastHost.sum(line.get("substream").asInt(), line.get("seq").asLong()));
            }
        }
    }

    private static List<Received> heaps(List<JsonNode> lines, String socket) {
        return lines.stream().filter(l -> l.has("socket") && l.get("socket").asText().equals(socket))
                .map(l -> new Received(l.get("substream").asLong(), l.get("seq").asLong())).toList();
    }

    /** A JVM running {@link MulticastHost} in a host, its output lines read as they come. */
    private static final class HostProcess {
        private final String name;
        private final Process process;
        private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();
        private final List<JsonNode> lines = new ArrayList<>();
        private final StringBuffer stdout = new StringBuffer();
        private final StringBuffer stderr = new StringBuffer();

        private final Thread stdoutReader;

        private HostProcess(String name, Process process) {
            this.name = name;
            this.process = process;
            stdoutReader = drain(process.getInputStream(), stdout, pending, "stdout");
            drain(process.getErrorStream(), stderr, null, "stderr");
        }

        static HostProcess start(NetnsHosts net, NetnsHosts.Host host, String name, String... args)
                throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath,
                    MulticastHost.class.getName()));
            command.addAll(List.of(args));
            return new HostProcess(name, net.start(host, command));
        }

        private Thread drain(InputStream in, StringBuffer all, LinkedBlockingQueue<String> queue, String which) {
            return Thread.ofPlatform().daemon().name(name + "-" + which).start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        all.append(line).append('\n');
                        if (queue != null) {
                            queue.add(line);
                        }
                    }
                } catch (IOException e) {
                    all.append("(reading failed: ").append(e).append(")\n");
                }
            });
        }

        /**
         * Reads lines until one has the field (within {@link #STEP_TIMEOUT_SECONDS}).
         *
         * @return that line
         */
        JsonNode await(String field) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_TIMEOUT_SECONDS);
            while (true) {
                boolean ended = !stdoutReader.isAlive(); // read before polling: no line can follow
                String line = pending.poll(100, TimeUnit.MILLISECONDS);
                if (line == null && (ended || System.nanoTime() - deadline > 0)) {
                    throw new AssertionError(name + " printed no \"" + field + "\" line "
                            + (ended ? "before its output ended" : "within " + STEP_TIMEOUT_SECONDS + " s")
                            + (process.isAlive() ? "" : " (exit status " + process.exitValue() + ")") + "\n"
                            + transcript());
                }
                if (line == null) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                lines.add(node);
                if (node.has(field)) {
                    return node;
                }
            }
        }

        /** Sends one command line to the process. */
        void command(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        /** @return the lines read by {@link #await} since the last call */
        List<JsonNode> takeLines() {
            List<JsonNode> taken = List.copyOf(lines);
            lines.clear();
            return taken;
        }

        String transcript() {
            return "--- " + name + " stdout:\n" + stdout + "--- " + name + " stderr:\n" + stderr;
        }

        void destroy() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
