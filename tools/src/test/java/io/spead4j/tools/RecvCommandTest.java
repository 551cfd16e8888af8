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
    void threadsOtherThanOneAreRefusedWithTheReason() {
        for (String n : new String[] {"2", "0", "-1"}) {
            Tool r = Tool.run("recv", "--threads", n, Tool.conformance("basic_items.pcap").toString());
            assertThat(r.status()).as(n).isEqualTo(2);
            assertThat(r.err()).contains("--threads " + n + " is not supported: spead4j runs each reader on a thread "
                    + "of its own").contains("Usage: spead4j recv");
            assertThat(r.out()).isEmpty();
        }
        Tool one = Tool.run("recv", "--threads", "1", Tool.conformance("basic_items.pcap").toString());
        assertThat(one.status()).as(one.err()).isZero();
        assertThat(one.lines()).contains("Received 1 heaps");
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
}
