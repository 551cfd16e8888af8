package io.spead4j.tools;

import io.spead4j.net.FrameReject;
import io.spead4j.net.PcapFrame;
import io.spead4j.net.PcapReader;
import io.spead4j.net.UdpFrameDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spead4j send}: spead2_send's heaps and output, checked offline through {@code --pcap} (the packets
 * as UDP frames in a capture) and {@code spead4j recv} on that capture.
 */
class SendCommandTest {
    private static final String SENT = "^Sent (\\d+) bytes in \\S+ seconds, \\S+ Gb/s$";

    @TempDir
    Path tmp;

    private Path send(String... args) {
        Path file = tmp.resolve("sent" + System.nanoTime() + ".pcap");
        String[] all = new String[args.length + 3];
        all[0] = "send";
        all[1] = "--pcap";
        all[2] = file.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        Tool r = Tool.run(all);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(1);
        assertThat(r.lines().getFirst()).matches(SENT);
        long reported = Long.parseLong(r.lines().getFirst().replaceAll(SENT, "$1"));
        assertThat(reported).as("bytes reported = bytes of the packets").isEqualTo(payloadBytes(file));
        return file;
    }

    private static long payloadBytes(Path file) {
        long total = 0;
        try (PcapReader reader = PcapReader.open(file)) {
            PcapFrame frame = new PcapFrame();
            UdpFrameDecoder udp = new UdpFrameDecoder();
            while (reader.next(frame)) {
                assertThat(udp.decode(frame)).isEqualTo(FrameReject.OK);
                total += udp.payloadLength();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return total;
    }

    @Test
    void verifiedHeapsAreVerifiedByRecv() {
        Path file = send("--verify", "--heaps", "6", "--items", "3", "--heap-size", "24000", "--packet", "9000",
                "127.0.0.1:8888");
        Tool r = Tool.run("recv", "--verify", file.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).contains("Received 6 heaps", "heaps: 6", "incomplete_heaps_evicted: 0");
        assertThat(r.lines()).filteredOn(l -> l.startsWith("Received heap ")).hasSize(6);
        // the end heap stops the stream; each heap has 3 items of 8000 bytes (the first also 3 descriptors)
        assertThat(r.lines()).filteredOn(l -> l.startsWith("0x100")).hasSize(18)
                .allMatch(l -> l.endsWith(" = [8000 bytes]"));
    }

    @Test
    void unverifiedPayloadFailsVerification() {
        Path file = send("--heaps", "2", "--heap-size", "4096", "127.0.0.1:8888");
        Tool r = Tool.run("recv", "--verify", file.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("Verification mismatch in heap 1, item 0x1000 offset 0\nexpected 0xbc8f, actual 0x0");
        assertThat(r.out()).doesNotContain("Received 2 heaps");
    }

    @Test
    void severalDestinationsAreSubstreamsAndTheirDescriptorHeapsFailVerificationAsInSpead2() {
        Path file = send("--verify", "--heaps", "4", "--heap-size", "4096", "127.0.0.1:8888", "127.0.0.1:8889");
        Tool plain = Tool.run("recv", "--descriptors", file.toString());
        assertThat(plain.status()).isZero();
        // heaps 1 and 2 (one per destination) carry the descriptor; then 2 data heaps, then 2 end heaps
        assertThat(plain.lines()).filteredOn(l -> l.startsWith("Descriptor for Test item 0 (0x1000)")).hasSize(2);
        assertThat(plain.lines()).contains("Received 4 heaps");
        Tool verify = Tool.run("recv", "--verify", file.toString());
        assertThat(verify.status()).isEqualTo(1);
        assertThat(verify.err()).contains("Verification mismatch in heap 2, item 0x1000");
        Tool dump = Tool.run("dump", "--decode", file.toString());
        List<String> ports = dump.lines().stream().map(l -> l.split(" ")[4]).distinct().toList();
        assertThat(ports).containsExactlyInAnyOrder("127.0.0.1:8888", "127.0.0.1:8889");
    }

    @Test
    void descriptorsAreSpead2SendsNumpyHeader() {
        Path file = send("--heaps", "1", "--items", "2", "--heap-size", "80", "127.0.0.1:8888");
        Tool r = Tool.run("recv", "--descriptors", file.toString());
        assertThat(r.lines()).containsSubsequence(
                "Descriptor for Test item 0 (0x1000)",
                "  description: A test item with arbitrary value",
                "  format:      []",
                "  dtype:       {'shape': (10,), 'fortran_order': False, 'descr': '>u4'}",
                "  shape:       ()",
                "Descriptor for Test item 1 (0x1001)");
        assertThat(r.lines()).contains("0x1000 = [40 bytes]", "0x1001 = [40 bytes]", "Received 1 heaps");
    }

    @Test
    void onlyTheEndHeapUsesAddrBitsAndPyspead() {
        Path file = send("--heaps", "2", "--heap-size", "64", "--addr-bits", "48", "--pyspead", "127.0.0.1:8888");
        Tool dump = Tool.run("dump", "--decode", file.toString());
        assertThat(dump.status()).isZero();
        List<String> lines = dump.lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.subList(0, 2)).allMatch(l -> l.contains("SPEAD-64-40 cnt="));
        assertThat(lines.get(2)).contains("SPEAD-64-48 cnt=3 ");
    }

    @Test
    void inexactHeapSizeIsReported() {
        Path file = tmp.resolve("x.pcap");
        Tool r = Tool.run("send", "--pcap", file.toString(), "--heaps", "1", "--heap-size", "10", "127.0.0.1:1");
        assertThat(r.status()).isZero();
        assertThat(r.err()).contains("Heap size is not an exact multiple: using 8 instead of 10");
    }

    @Test
    void badArgumentsPrintUsageAndExitWith2() {
        Tool none = Tool.run("send");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("at least one destination is required").contains("Usage: spead4j send");
        assertThat(Tool.run("send", "--tcp", "a:1", "b:2").err()).contains("only one destination is supported with TCP");
        Tool noPort = Tool.run("send", "localhost");
        assertThat(noPort.status()).isEqualTo(2);
        assertThat(noPort.err()).contains("does not have the format host:port");
        assertThat(Tool.run("send", "--rate-method", "FAST", "127.0.0.1:1").status()).isEqualTo(2);
        assertThat(Tool.run("send", "--ibv", "127.0.0.1:1").err()).contains("ibverbs");
        assertThat(Tool.run("send", "--items", "0", "127.0.0.1:1").status()).isEqualTo(2);
    }
}
