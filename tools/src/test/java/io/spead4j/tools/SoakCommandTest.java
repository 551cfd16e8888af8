package io.spead4j.tools;

import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.send.BytesStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code spead4j bench soak}: short runs over every transport lose and corrupt nothing, a corrupted heap is caught
 * and fails the run, and over UDP the packets lost equal the kernel's drop count for the socket.
 */
@Timeout(120)
class SoakCommandTest {
    /** A short run with frequent progress and memory samples. */
    private static Tool soak(String transport, String... more) {
        List<String> args = new ArrayList<>(List.of("bench", "soak", "--transport", transport, "--duration", "1s",
                "--progress", "500ms", "--memory-interval", "250ms", "--heap-size", "16384"));
        args.addAll(List.of(more));
        return Tool.run(args.toArray(String[]::new));
    }

    private static void assertIntact(Tool r) {
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        String summary = r.lines().stream().filter(l -> l.startsWith("Ran ")).findFirst().orElseThrow();
        String[] f = summary.replaceAll("[^0-9 ]", " ").trim().split("\\s+");
        // Ran S s: heaps sent N, received N, lost 0, corrupted 0
        long sent = Long.parseLong(f[f.length - 4]);
        assertThat(sent).isPositive();
        assertThat(summary).endsWith("received " + sent + ", lost 0, corrupted 0");
        assertThat(r.lines()).anyMatch(l -> l.matches("\\[ +\\d+ s] sent \\d+, received \\d+, lost 0, corrupted 0.*"));
        assertThat(r.lines()).anyMatch(l -> l.matches("  t=\\d+s heap used after GC \\d+\\.\\d MiB, resident .*"));
        assertThat(r.lines()).anyMatch(l -> l.startsWith("Memory after the 250ms warm-up: "));
        assertThat(r.lines()).last().isEqualTo("Result: PASS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"inproc", "tcp"})
    void aShortSoakLosesAndCorruptsNothing(String transport) {
        assertIntact(soak(transport));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "native"})
    void overUdpThePacketsLostEqualTheSocketsKernelDropCount(String path) {
        String old = System.getProperty("spead4j.udp");
        System.setProperty("spead4j.udp", path);
        try {
            if (path.equals("native")) {
                org.junit.jupiter.api.Assumptions.assumeTrue(io.spead4j.net.NativeUdpSocket.isSupported(),
                        io.spead4j.net.NativeUdpSocket::unsupportedReason);
            }
            // no rate limit into a small socket buffer: packets are usually dropped, and the run passes only if
            // the stream's losses equal the socket's kernel drop count exactly
            Tool flood = soak("udp", "--rate", "0", "--recv-buffer", "65536");
            assertThat(flood.status()).as(flood.out() + flood.err()).isZero();
            assertThat(flood.lines()).last().isEqualTo("Result: PASS");
            assertThat(flood.lines()).anyMatch(l -> l.matches("UDP packets: sent \\d+ \\(\\d+ per heap and the end heap\\), "
                    + "received \\d+, lost \\d+"));
            assertThat(flood.lines()).anyMatch(l -> l.matches("Kernel, this socket \\(/proc/net/udp drops\\): \\d+: "
                    + "equal to the packets lost"));
        } finally {
            if (old == null) {
                System.clearProperty("spead4j.udp");
            } else {
                System.setProperty("spead4j.udp", old);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inproc", "tcp", "udp"})
    void aCorruptedHeapIsCaughtAndFailsTheRun(String transport) {
        Tool r = soak(transport, "--corrupt-heap", "10", "--rate", "0.2");
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.lines()).anyMatch(l -> l.matches("Ran .*, corrupted 1"));
        assertThat(r.lines()).last().isEqualTo("Result: FAIL");
        assertThat(r.err()).startsWith("soak: 1 heaps corrupted or out of order (first: heap 10: the payload's CRC-32C is ");
    }

    @Test
    void verifyFindsEveryKindOfDamage() throws Exception {
        byte[] payload = new byte[1000];
        SoakHeaps.fill(payload, 7);
        long crc = SoakHeaps.checksum(ByteBuffer.wrap(payload));
        byte[] flipped = payload.clone();
        flipped[999] ^= (byte) 0x80;
        byte[] other = new byte[1000];
        SoakHeaps.fill(other, 8);
        long otherCrc = SoakHeaps.checksum(ByteBuffer.wrap(other));
        List<SoakHeaps.Check> checks = received(List.of(
                SoakHeaps.heap(7, payload, crc),
                SoakHeaps.heap(7, flipped, crc),
                SoakHeaps.heap(7, other, otherCrc),
                SoakHeaps.heap(7, new byte[999], crc),
                new io.spead4j.send.Heap().addItem(SoakHeaps.CHECKSUM_ID, crc).addItem(SoakHeaps.PAYLOAD_ID, payload, false),
                new io.spead4j.send.Heap().addItem(SoakHeaps.SEQUENCE_ID, 7).addItem(SoakHeaps.PAYLOAD_ID, payload, false)),
                1000);
        assertThat(checks.get(0)).isEqualTo(new SoakHeaps.Check(7, null));
        assertThat(checks.get(1).problem()).startsWith("heap 7: the payload's CRC-32C is ");
        assertThat(checks.get(2).problem()).isEqualTo("heap 7 carries the payload of heap 8");
        assertThat(checks.get(3).problem()).isEqualTo("heap 7 has a payload of 999 bytes, not 1000");
        assertThat(checks.get(4)).isEqualTo(new SoakHeaps.Check(-1, "heap 5 has no sequence number"));
        assertThat(checks.get(5).problem()).isEqualTo("heap 7 has no checksum");
    }

    @Test
    void fillGivesEveryHeapItsOwnPayload() {
        byte[] a = new byte[21];
        byte[] b = new byte[21];
        SoakHeaps.fill(a, 1);
        SoakHeaps.fill(b, 2);
        assertThat(ByteBuffer.wrap(a).getLong(0)).isEqualTo(1);
        assertThat(a).isNotEqualTo(b);
        assertThat(a[20]).isEqualTo((byte) 21);
    }

    @Test
    void tallyCountsGapsAndOldHeaps() {
        SoakCommand.Tally t = new SoakCommand.Tally();
        t.count(new SoakHeaps.Check(0, null));
        t.count(new SoakHeaps.Check(3, null));
        t.count(new SoakHeaps.Check(2, null));
        t.count(new SoakHeaps.Check(4, "damaged"));
        assertThat(t.received.get()).isEqualTo(2);
        assertThat(t.gaps.get()).isEqualTo(2);
        assertThat(t.outOfOrder.get()).isEqualTo(1);
        assertThat(t.corrupted.get()).isEqualTo(1);
        assertThat(t.firstProblem.get()).isEqualTo("heap 2 arrived after heap 3");
    }

    @Test
    void kernelCountersAreReadFromTheirTables() {
        KernelUdpCounters c = KernelUdpCounters.parse(List.of(
                "Ip: Forwarding DefaultTTL", "Ip: 1 64",
                "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors",
                "Udp: 100 2 37 90 35 0",
                "UdpLite: InDatagrams NoPorts", "UdpLite: 0 0"));
        assertThat(c).isNotNull();
        assertThat(c.get("RcvbufErrors")).isEqualTo(35);
        assertThat(c.get("InErrors")).isEqualTo(37);
        assertThat(c.get("Nothing")).isZero();
        assertThat(KernelUdpCounters.parse(List.of("Ip: Forwarding", "Ip: 1"))).isNull();
        List<String> udp = List.of(
                "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
                "  301: 0100007F:A2B4 00000000:0000 07 00000000 00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17",
                "  302: 00000000:A2B4 00000000:0000 07 00000000 00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 5");
        assertThat(KernelUdpCounters.socketDrops(udp, new byte[] {127, 0, 0, 1}, 0xA2B4)).isEqualTo(17);
        assertThat(KernelUdpCounters.socketDrops(udp, new byte[] {0, 0, 0, 0}, 0xA2B4)).isEqualTo(5);
        assertThat(KernelUdpCounters.socketDrops(udp, new byte[] {127, 0, 0, 1}, 0xA2B5)).isEqualTo(-1);
    }

    @Test
    void memoryIsFlatWhenTheSamplesAfterWarmupStayWithinTenPercent() {
        List<SoakMemory.Sample> samples = List.of(new SoakMemory.Sample(1, 50_000_000, -1),
                new SoakMemory.Sample(2, 10_000_000, -1), new SoakMemory.Sample(3, 10_900_000, -1));
        SoakMemory.Flatness flat = SoakMemory.flatness(samples, 1);
        assertThat(flat.samples()).isEqualTo(2);
        assertThat(flat.flat()).isTrue();
        assertThat(SoakMemory.flatness(samples, 0).flat()).isFalse();
        assertThat(SoakMemory.flatness(samples, 5).samples()).isZero();
    }

    @Test
    void durationsTakeAUnit() {
        assertThat(SoakCommand.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SoakCommand.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(SoakCommand.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(SoakCommand.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(SoakCommand.parseDuration("2.5")).isEqualTo(Duration.ofMillis(2500));
        assertThatThrownBy(() -> SoakCommand.parseDuration("soon")).hasMessageContaining("500ms, 30s, 10m or 1h");
    }

    @Test
    void badArgumentsExitWithStatus2() {
        for (String[] bad : new String[][] {{"--duration", "0s"}, {"--transport", "sctp"}, {"--heap-size", "0"},
            {"--window", "0"}, {"--rate", "-1"}, {"--duration", "soon"}, {"--heap-size", "1073741824"}}) {
            List<String> args = new ArrayList<>(List.of("bench", "soak"));
            args.addAll(List.of(bad));
            Tool r = Tool.run(args.toArray(String[]::new));
            assertThat(r.status()).as(String.join(" ", bad) + ": " + r.err()).isEqualTo(2);
        }
    }

    /** Sends heaps into bytes and receives them from there, checking each. */
    private static List<SoakHeaps.Check> received(List<io.spead4j.send.Heap> heaps, int payloadSize) throws Exception {
        List<SoakHeaps.Check> checks = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(1)) {
            byte[] bytes;
            try (BytesStream tx = new BytesStream(pool)) {
                for (io.spead4j.send.Heap h : heaps) {
                    tx.sendHeap(h);
                }
                bytes = tx.getValue();
            }
            try (io.spead4j.recv.Stream rx = new io.spead4j.recv.Stream(pool,
                    new io.spead4j.recv.StreamConfig().withMaxHeaps(heaps.size()))) {
                rx.addBufferReader(bytes);
                for (HeapBase h : rx) {
                    if (h instanceof Heap heap) {
                        checks.add(SoakHeaps.verify(heap, payloadSize));
                        heap.release();
                    }
                }
            }
        }
        return checks;
    }
}
