package io.spead4j.tools;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench agent}'s control protocol on loopback, driven as {@code bench master} drives it. */
class BenchAgentTest {
    /**
     * Starts {@code bench agent} on a free port, without its warm-up: it listens there for control and, once
     * started, for data.
     */
    private static ListeningTool.Running agent() throws Exception {
        return ListeningTool.start(true, port -> new String[] {"bench", "agent", "--sessions", "1",
            "--warmup-heaps", "0", Integer.toString(port)});
    }

    /**
     * Runs one master session against the agent as {@code bench master} would: start (the agent binds the data
     * port, UDP, same number, only now; were another process holding it, the agent would answer "error", a
     * failure here and not a hang), {@code heaps} heaps from {@code spead4j send}, stop (the count must be
     * {@code heaps}) and exit; then the agent must have ended cleanly.
     *
     * @param agent the running agent, started for one session
     * @param heaps heaps to send
     * @return the agent's run, for its error output
     */
    private static Tool oneSession(ListeningTool.Running agent, int heaps) throws Exception {
        int port = agent.port();
        try (Socket control = new Socket(InetAddress.getLoopbackAddress(), port)) {
            PrintWriter w = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
            w.print("start\nmulticast = \ntcp = 0\npyspead = 0\nbind = \npacket = 9200\nbuffer = 4194304\n"
                    + "concurrent-heaps = 4\nsubstreams = 1\nring-heaps = 4\nmem-pool = 1\nmem-lower = 10000\n"
                    + "mem-upper = 11024\nmem-max-free = 12\nmem-initial = 8\nring = 0\nmemcpy-nt = 0\nend_config\n");
            w.flush();
            assertThat(in.readLine()).as("the agent's answer to start").isEqualTo("ready");
            Tool send = Tool.run("send", "--heaps", Integer.toString(heaps), "--heap-size", "10000", "--rate", "0.05",
                    "127.0.0.1:" + port);
            assertThat(send.status()).as(send.err()).isZero();
            w.print("stop\n");
            w.flush();
            assertThat(in.readLine()).isEqualTo(Integer.toString(heaps));
            w.print("exit\n");
            w.flush();
        }
        Tool r = agent.tool().get();
        assertThat(r.status()).as(r.err()).isZero();
        return r;
    }

    @Test
    void agentWarmsUpOnItsOwnDataPortThenServesAMaster() throws Exception {
        // the session connects during the warm-up (or after it) and is answered once the warm-up has released
        // the data port
        Tool r = oneSession(ListeningTool.start(true, port -> new String[] {"bench", "agent", "--sessions", "1",
            "--warmup-heaps", "301", Integer.toString(port)}), 3);
        // 301 heaps: 151 in 1472-byte packets, 150 in 9200-byte ones; loopback may drop some at full speed
        assertThat(r.err()).containsPattern("Warm-up: received [0-9]+ of 301 heaps in [0-9.]+ s")
                .doesNotContain("Warm-up failed");
    }

    @Test
    void agentRefusesANegativeWarmUp() {
        Tool r = Tool.run("bench", "agent", "--warmup-heaps", "-1", "8950");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--warmup-heaps must not be negative");
    }

    @Test
    void agentCountsTheHeapsSentToItsPortAndAnswersStop() throws Exception {
        Tool r = oneSession(agent(), 5);
        assertThat(r.err()).contains("5").doesNotContain("Warm-up");
    }

    @Test
    void masterReportsAnAgentThatCannotStart() throws Exception {
        ListeningTool.Running agent = agent();
        try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), agent.port())) {
            probe.getOutputStream().write("exit\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(agent.tool().get().status()).isZero();
        ListeningTool.Running second = agent();
        // with --tcp the data listener wants the agent's control port, which is taken (as in spead2_bench)
        Tool master = Tool.run("bench", "master", "--tcp", "--heap-size", "65536", "127.0.0.1:" + second.port());
        assertThat(master.status()).isEqualTo(1);
        assertThat(master.err()).contains("Did not receive 'ready' response");
        Tool a = second.tool().get();
        assertThat(a.err()).contains("Start failed");
    }

    /**
     * {@code bench master}'s order of runs, seen by a scripted agent that answers every run with 0 heaps (so the
     * unlimited runs fail, as against a receiver that cannot keep up) and refuses the run after
     * {@code acceptedRuns}: spead2's unlimited warm-up and 5 unlimited runs, then the paced warm-up runs, then
     * the search (the refused run). Returns the master's output.
     */
    private static Tool masterAgainstScriptedAgent(int acceptedRuns, String... options) throws Exception {
        // closed by hand once the master has ended: that ends the scripted agent's wait for another run
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        try (DatagramChannel data = DatagramChannel.open()) {
            int port = server.getLocalPort();
            data.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // takes the master's packets
            CompletableFuture<Integer> runs = CompletableFuture.supplyAsync(() -> {
                int started = 0;
                try {
                    while (true) {
                        try (Socket control = server.accept()) {
                            BufferedReader in = new BufferedReader(
                                    new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
                            PrintWriter w = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
                            String line;
                            while ((line = in.readLine()) != null && !line.equals("end_config")) {
                                // the configuration is not needed here
                            }
                            if (started == acceptedRuns) {
                                w.print("error\n");
                                w.flush();
                                return started;
                            }
                            started++;
                            w.print("ready\n");
                            w.flush();
                            assertThat(in.readLine()).isEqualTo("stop");
                            w.print("0\n");
                            w.flush();
                        }
                    }
                } catch (java.io.IOException e) {
                    if (server.isClosed()) {
                        return started; // the master ended without asking for another run
                    }
                    throw new java.io.UncheckedIOException(e);
                }
            });
            List<String> args = new ArrayList<>(List.of("bench", "master", "--heap-size", "8192", "--run-bytes",
                    "65536", "--packet", "1472"));
            args.addAll(List.of(options));
            args.add("127.0.0.1:" + port);
            Tool master = Tool.run(args.toArray(String[]::new));
            server.close();
            assertThat(runs.get()).isEqualTo(acceptedRuns);
            return master;
        } finally {
            server.close();
        }
    }

    @Test
    void masterWarmsUpPacedBeforeItsSearch() throws Exception {
        Tool master = masterAgainstScriptedAgent(1 + 5 + 2, "--warmup-heaps", "0");
        assertThat(master.status()).isEqualTo(1);
        assertThat(master.err()).contains("Did not receive 'ready' response");
        String out = master.out();
        assertThat(out).startsWith("Send rate: ");
        assertThat(out.lines().filter(l -> l.startsWith("Paced warm-up: ")).count())
                .as("the default --paced-warmup: two paced runs before the search").isEqualTo(2);
        assertThat(out.lines().filter(l -> l.startsWith("Paced warm-up: ")))
                .allMatch(l -> l.matches("Paced warm-up: \\d+\\.\\d{3} Gbps \\(JIT compiling here meanwhile: \\d+ ms\\)"));
    }

    @Test
    void masterAtAFixedRateMakesTheWarmUpRunThenTheRunsAskedForAndCountsTheLosslessOnes() throws Exception {
        // the scripted agent counts 0 heaps in every run: each fixed-rate run lost heaps
        Tool master = masterAgainstScriptedAgent(1 + 3, "--fixed-rate", "0.1", "--fixed-runs", "3");
        assertThat(master.status()).as(master.err()).isZero();
        List<String> lines = master.out().lines().toList();
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(lines.get(i)).matches("Run " + (i + 1) + " at 0\\.100 Gbps \\(\\d+\\.\\d{3} actual, \\d+\\.\\d s, "
                    + "JIT \\d+ ms\\): received 0 of " + (12_500_000 / 8192 + 1) + " heaps: BAD");
        }
        assertThat(lines.get(3)).isEqualTo("Lossless runs: 0 of 3");
        Tool quiet = masterAgainstScriptedAgent(1 + 1, "--fixed-rate", "0.1", "--fixed-runs", "1", "--quiet");
        assertThat(quiet.status()).as(quiet.err()).isZero();
        assertThat(quiet.out()).isEqualTo("0\n");
    }

    @Test
    void masterWarmsUpUntilItHasSentTheWarmUpHeaps() throws Exception {
        // 6 unlimited runs of 65536 / 8192 + 2 = 10 heaps sent 60: the first paced run (at least a second's worth
        // of 8 KiB heaps at half the unlimited rate) brings the count past 70, so exactly --paced-warmup runs
        Tool master = masterAgainstScriptedAgent(1 + 5 + 3, "--paced-warmup", "3", "--warmup-heaps", "70");
        assertThat(master.out().lines().filter(l -> l.startsWith("Paced warm-up: ")).count()).isEqualTo(3);
        assertThat(BenchCommand.pacedWarmupRuns(2, 8000, 6 * 240, 270)).as("4 MiB heaps: (8000 - 1440) / 270")
                .isEqualTo(25);
        assertThat(BenchCommand.pacedWarmupRuns(2, 8000, 6 * 7630, 8000)).as("128 KiB heaps: already sent")
                .isEqualTo(2);
        assertThat(BenchCommand.pacedWarmupRuns(2, 8000, 60, 10)).as("capped").isEqualTo(BenchCommand.MAX_PACED_WARMUP);
        assertThat(BenchCommand.pacedWarmupRuns(50, 8000, 60, 10)).as("--paced-warmup is not capped").isEqualTo(50);
        assertThat(BenchCommand.pacedWarmupRuns(0, 0, 0, 10)).isZero();
    }

    @Test
    void masterSkipsThePacedWarmUpWhenAskedTo() throws Exception {
        Tool master = masterAgainstScriptedAgent(1 + 5, "--paced-warmup", "0", "--warmup-heaps", "0");
        assertThat(master.status()).isEqualTo(1);
        assertThat(master.out()).startsWith("Send rate: ").doesNotContain("Paced warm-up");
    }
}
