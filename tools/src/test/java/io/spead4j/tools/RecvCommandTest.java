package io.spead4j.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spead4j recv} prints what {@code spead2_recv --descriptors NAME.pcap} printed (NAME.recv-plain.txt) and
 * with {@code --ring} (NAME.recv-ring.txt) for every conformance case, apart from the timing in
 * {@code Received heap N at T} and the four implementation statistics. The comparison is of bytes, not text:
 * spead2_recv prints a descriptor's name and description as the raw bytes it received, which need not be
 * UTF-8 (a name byte 0xef is printed as that one byte).
 */
class RecvCommandTest {
    private static final Set<String> IMPLEMENTATION_STATS = Set.of("batches", "max_batch", "search_dist", "worker_blocked");
    private static final Pattern AT = Pattern.compile("^(Received heap \\d+) at (\\S+)$");

    @TempDir
    Path tmp;

    static List<String> cases() {
        return Tool.cases();
    }

    /** Strips "at T" (checking T is a number) and the implementation statistics. */
    static List<String> comparable(List<String> lines, boolean checkTimes) {
        return lines.stream().map(l -> {
            var m = AT.matcher(l);
            if (m.matches()) {
                if (checkTimes) {
                    assertThat(Double.parseDouble(m.group(2))).as(l).isGreaterThanOrEqualTo(0.0);
                }
                return m.group(1);
            }
            return l;
        }).filter(l -> IMPLEMENTATION_STATS.stream().noneMatch(s -> l.startsWith(s + ": "))).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void callbackModePrintsLikeSpead2Recv(String name) throws IOException {
        Tool r = Tool.run("recv", "--descriptors", Tool.conformance(name + ".pcap").toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.rawLines()).anyMatch(l -> AT.matcher(l).matches() || l.startsWith("Received 0 heaps"));
        List<String> expected = comparable(Tool.rawLines(Tool.conformance(name + ".recv-plain.txt")), false);
        assertThat(comparable(r.rawLines(), true)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ringModePrintsLikeSpead2Recv(String name) throws IOException {
        Tool r = Tool.run("recv", "--ring", "--descriptors", Tool.conformance(name + ".pcap").toString());
        assertThat(r.status()).as(r.err()).isZero();
        List<String> expected = comparable(Tool.rawLines(Tool.conformance(name + ".recv-ring.txt")), false);
        assertThat(comparable(r.rawLines(), true)).isEqualTo(expected);
    }

    @Test
    void implementationStatsAreThoseOfOneSmallPcapBatch() {
        Tool r = Tool.run("recv", Tool.conformance("basic_items.pcap").toString());
        assertThat(r.lines()).contains("batches: 1", "max_batch: 2", "worker_blocked: 0");
    }

    @Test
    void quietPrintsOnlyTheTotals() {
        Tool r = Tool.run("recv", "--quiet", Tool.conformance("lost_packets.pcap").toString());
        assertThat(r.status()).isZero();
        assertThat(r.lines().getFirst()).startsWith("Received ").endsWith(" heaps");
        assertThat(r.lines()).noneMatch(l -> l.startsWith("Received heap") || l.startsWith("Discarding"));
        assertThat(r.lines()).hasSize(10);
    }

    @Test
    void severalFilesAreSeveralStreamsOrOneJointStreamWithSummedStats() {
        String a = Tool.conformance("basic_items.pcap").toString();
        String b = Tool.conformance("dtypes.pcap").toString();
        Tool separate = Tool.run("recv", "--quiet", a, b);
        Tool joint = Tool.run("recv", "--quiet", "--joint", a);
        assertThat(separate.status()).isZero();
        assertThat(joint.lines()).contains("Received 1 heaps", "packets: 2");
        long heapsA = Long.parseLong(Tool.run("recv", "--quiet", a).lines().getFirst().split(" ")[1]);
        long heapsB = Long.parseLong(Tool.run("recv", "--quiet", b).lines().getFirst().split(" ")[1]);
        assertThat(separate.lines().getFirst()).isEqualTo("Received " + (heapsA + heapsB) + " heaps");
    }

    @Test
    void badArgumentsPrintUsageAndExitWith2() {
        Tool none = Tool.run("recv");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("At least one source is required").contains("Usage: spead4j recv");
        Tool unknown = Tool.run("recv", "--no-such-option", "x.pcap");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("Usage:");
        Tool ring = Tool.run("recv", "--ring", "a.pcap", "b.pcap");
        assertThat(ring.status()).isEqualTo(2);
        assertThat(ring.err()).contains("Multiple streams cannot be used with --ring");
        Tool ibv = Tool.run("recv", "--ibv", "--bind", "10.0.0.1", ":8888");
        assertThat(ibv.status()).isEqualTo(2);
        assertThat(ibv.err()).contains("ibverbs").contains("not supported");
        Tool threads = Tool.run("recv", "--threads", "x", "a.pcap");
        assertThat(threads.status()).isEqualTo(2);
        Tool noSub = Tool.run();
        assertThat(noSub.status()).isEqualTo(2);
        assertThat(noSub.err()).contains("a subcommand is required");
    }

    @Test
    void threadsBelowOneAreRefusedAndMoreAreUsed() {
        for (String n : new String[] {"0", "-1"}) {
            Tool r = Tool.run("recv", "--threads", n, Tool.conformance("basic_items.pcap").toString());
            assertThat(r.status()).as(n).isEqualTo(2);
            assertThat(r.err()).contains("--threads must be at least 1 (at least one thread is required), got " + n)
                    .contains("Usage: spead4j recv");
            assertThat(r.out()).isEmpty();
        }
        for (String n : new String[] {"1", "3"}) {
            Tool r = Tool.run("recv", "--threads", n, Tool.conformance("basic_items.pcap").toString());
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.lines()).contains("Received 1 heaps");
        }
    }

    @Test
    void twoThreadsServeTwoUdpSources() throws Exception {
        // 10 heaps of 8192 bytes per source: the default receive buffer holds them all on loopback
        int needed = 12 * 6 * 2304;
        int granted;
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
            probe.setOption(java.net.StandardSocketOptions.SO_RCVBUF, Network.UDP_RECV_BUFFER);
            granted = probe.getOption(java.net.StandardSocketOptions.SO_RCVBUF);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(granted >= needed, () -> "receive buffer too small: " + granted);
        int other;
        try (java.net.DatagramSocket free = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            other = free.getLocalPort();
        }
        // one stream per source, both readers on the pool's two threads; the other port is bound first, so it
        // is bound once the tool holds the port it was started on
        ListeningTool.Running recv = ListeningTool.start(false, port -> new String[] {"recv", "--threads", "2",
            "--verify", "--quiet", "127.0.0.1:" + other, "127.0.0.1:" + port});
        for (int port : new int[] {recv.port(), other}) {
            Tool send = Tool.run("send", "--verify", "--heaps", "10", "--items", "2", "--heap-size", "8192",
                    "--rate", "0.2", "127.0.0.1:" + port);
            assertThat(send.status()).as(send.err()).isZero();
        }
        Tool r = recv.tool().get();
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).startsWith("Received 20 heaps");
    }

    @Test
    void aFileThatIsNotACaptureSaysSo() throws IOException {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "not a capture\n");
        Tool r = Tool.run("recv", text.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("not a pcap or pcapng file").contains("notes.txt");
        assertThat(r.out()).isEmpty();
        Tool missing = Tool.run("recv", tmp.resolve("missing.pcap").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("missing.pcap: no such file");
    }

    @Test
    void sourcesAreFilesUnlessTheyEndInASixteenBitPort() {
        assertThat(Network.isFile("8888")).isFalse();
        assertThat(Network.isFile(":8888")).isFalse();
        assertThat(Network.isFile("239.1.2.3:65535")).isFalse();
        assertThat(Network.isFile("host:65536")).isTrue();
        assertThat(Network.isFile("capture.pcap")).isTrue();
        assertThat(Network.isFile("dir:with:colons/file")).isTrue();
        assertThat(Network.isFile("x:")).isTrue();
    }

    @Test
    void realCaptureGivesNoHeapsAndSpead2sStats() {
        Tool r = Tool.run("recv", Tool.shared().resolve("realworld/ska-low-tpm-channel-integ.pcapng").toString());
        assertThat(r.status()).isZero();
        assertThat(r.lines()).containsExactly("Received 0 heaps", "heaps: 0", "incomplete_heaps_evicted: 0",
                "incomplete_heaps_flushed: 0", "packets: 0", "batches: 16", "max_batch: 0", "single_packet_heaps: 0",
                "search_dist: 0", "worker_blocked: 0");
    }

    @Test
    void hardwareLeniencyFlagsReceiveTheSkaLowCaptures() {
        Tool tpm = Tool.run("recv", "--quiet", "--lenient-hardware",
                Tool.shared().resolve("realworld/ska-low-tpm-channel-integ.pcapng").toString());
        assertThat(tpm.status()).isZero();
        assertThat(tpm.lines()).contains("Received 1024 heaps", "heaps: 1024", "packets: 1024",
                "single_packet_heaps: 1024");
        String sps = Tool.shared().resolve("realworld/ska-low-sps-v1-testbench.pcap").toString();
        Tool all = Tool.run("recv", "--quiet", "--missing-offset-zero", "--missing-heap-size-packet",
                "--payload-length-datagram", "--heaps-per-source", sps);
        assertThat(all.status()).isZero();
        assertThat(all.lines()).contains("Received 256 heaps", "packets: 256");
        // without the payload length option the SPS v1 packets are 72 bytes in 8264-byte datagrams: dropped
        Tool some = Tool.run("recv", "--quiet", "--missing-offset-zero", "--missing-heap-size-packet", sps);
        assertThat(some.status()).isZero();
        assertThat(some.lines()).contains("Received 0 heaps", "packets: 0");
        Tool truncated = Tool.run("recv", "--quiet", "--lenient-hardware",
                Tool.shared().resolve("realworld/ska-low-sps-v2-header.pcap").toString());
        assertThat(truncated.status()).isZero();
        assertThat(truncated.lines()).contains("Received 0 heaps", "packets: 0");
    }
}
