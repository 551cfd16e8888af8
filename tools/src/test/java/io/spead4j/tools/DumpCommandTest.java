package io.spead4j.tools;

import io.spead4j.net.PcapFrame;
import io.spead4j.net.PcapReader;
import io.spead4j.net.UdpFrameDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spead4j dump}: decoding .spead and pcap/pcapng files, and capturing UDP into a pcap file. */
class DumpCommandTest {
    @TempDir
    Path tmp;

    static List<String> cases() {
        return Tool.cases().stream().filter(n -> !n.equals("garbage")).toList();
    }

    private static String afterPrefix(String line) {
        return line.substring(line.indexOf("SPEAD-64-"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void speadAndPcapFilesDecodeToTheSamePackets(String name) {
        Tool spead = Tool.run("dump", "--decode", Tool.conformance(name + ".spead").toString());
        Tool pcap = Tool.run("dump", "--decode", Tool.conformance(name + ".pcap").toString());
        assertThat(spead.status()).as(spead.err()).isZero();
        assertThat(pcap.status()).as(pcap.err()).isZero();
        assertThat(spead.lines()).isNotEmpty().allMatch(l -> l.matches("packet \\d+ at \\d+: SPEAD-64-\\d+ cnt=\\d+ .*"));
        assertThat(pcap.lines()).allMatch(l -> l.matches("frame \\d+: 127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:8888 SPEAD-64-.*"));
        assertThat(pcap.lines().stream().map(DumpCommandTest::afterPrefix).toList())
                .isEqualTo(spead.lines().stream().map(DumpCommandTest::afterPrefix).toList());
    }

    @Test
    void garbageFramesAreShownAsRejectedAndTheSpeadFileStopsAtTheFirst() {
        Tool spead = Tool.run("dump", "--decode", Tool.conformance("garbage.spead").toString());
        Tool pcap = Tool.run("dump", "--decode", Tool.conformance("garbage.pcap").toString());
        assertThat(spead.lines().getLast()).matches("packet 1 at \\d+: rejected \\(.*\\); stopping");
        assertThat(pcap.lines()).anyMatch(l -> l.contains(" rejected ("));
        assertThat(pcap.lines()).filteredOn(l -> l.contains("SPEAD-64-40 cnt=")).hasSize(2);
    }

    @Test
    void pcapngCaptureIsDecoded() {
        Tool r = Tool.run("dump", "--decode", Tool.shared().resolve("realworld/ska-low-tpm-channel-integ.pcapng").toString());
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(1024)
                .allMatch(l -> l.endsWith("> 10.132.61.11:4660 rejected (packet does not have required items)"));
    }

    @Test
    void aFileThatIsNeitherSaysSo() throws IOException {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello world, not packets\n");
        Tool r = Tool.run("dump", "--decode", text.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("neither a pcap/pcapng capture nor SPEAD packets");
        assertThat(Tool.run("dump", "--decode", tmp.resolve("none").toString()).err()).contains("no such file");
        assertThat(Tool.run("dump").status()).isEqualTo(2);
        assertThat(Tool.run("dump", "notaport", "x.pcap").status()).isEqualTo(2);
    }

    @Test
    void capturesUdpDatagramsIntoAPcapFile() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            port = probe.getLocalPort();
        }
        Path file = tmp.resolve("capture.pcap");
        CompletableFuture<Tool> dump = CompletableFuture.supplyAsync(() -> Tool.run("dump", "--bind", "127.0.0.1",
                "--count", "3", "--duration", "30", Integer.toString(port), file.toString()));
        byte[] payload = "spead4j capture test".getBytes(StandardCharsets.US_ASCII);
        try (DatagramChannel ch = DatagramChannel.open()) {
            while (!dump.isDone()) {
                ch.send(ByteBuffer.wrap(payload), new InetSocketAddress("127.0.0.1", port));
                Thread.sleep(20);
            }
        }
        Tool r = dump.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("Captured 3 packets");
        int frames = 0;
        try (PcapReader reader = PcapReader.open(file)) {
            PcapFrame frame = new PcapFrame();
            UdpFrameDecoder udp = new UdpFrameDecoder();
            while (reader.next(frame)) {
                frames++;
                udp.decode(frame);
                assertThat(udp.destinationPort()).isEqualTo(port);
                assertThat(UdpFrameDecoder.formatAddress(udp.sourceAddress())).isEqualTo("127.0.0.1");
                assertThat(udp.payload().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(payload);
                assertThat(frame.timestampNanos()).isPositive();
            }
        }
        assertThat(frames).isEqualTo(3);
    }
}
