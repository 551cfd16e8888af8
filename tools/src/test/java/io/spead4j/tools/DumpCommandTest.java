package io.spead4j.tools;

import io.spead4j.net.FrameReject;
import io.spead4j.net.PcapFrame;
import io.spead4j.net.PcapReader;
import io.spead4j.net.UdpFrameDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spead4j dump}: decoding .spead and pcap/pcapng files, and capturing UDP into a pcap file. */
class DumpCommandTest {
    @TempDir
    Path tmp;

    static List<String> cases() {
        return Tool.cases();
    }

    private static String afterPrefix(String line) {
        return line.substring(line.indexOf("SPEAD-64-"));
    }

    /** @return the UDP payload of every frame of a capture, in order */
    private static List<byte[]> udpPayloads(Path capture) throws IOException {
        List<byte[]> payloads = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(capture)) {
            PcapFrame frame = new PcapFrame();
            UdpFrameDecoder udp = new UdpFrameDecoder();
            while (reader.next(frame)) {
                assertThat(udp.decode(frame)).as("frame %d of %s", payloads.size(), capture).isEqualTo(FrameReject.OK);
                payloads.add(udp.payload().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return payloads;
    }

    /**
     * Every case's .spead holds the .pcap's datagrams back to back, so the packet-by-packet walk of the .spead
     * must show the same packets as the frame-by-frame decode of the .pcap, at the offsets the datagram lengths
     * give, until the first frame that is rejected: from there the walk cannot know where the next packet starts.
     * If that frame could not be parsed at all, the walk stops there, with the same reason; if no frame is
     * rejected, the walk consumes the whole file. Which happens is decided from the case's bytes, not its name.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void speadAndPcapFilesDecodeToTheSamePackets(String name) throws IOException {
        Path speadFile = Tool.conformance(name + ".spead");
        List<byte[]> datagrams = udpPayloads(Tool.conformance(name + ".pcap"));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        datagrams.forEach(joined::writeBytes);
        assertThat(joined.toByteArray()).as("the .spead is the .pcap's datagrams back to back")
                .isEqualTo(Files.readAllBytes(speadFile));

        Tool spead = Tool.run("dump", "--decode", speadFile.toString());
        Tool pcap = Tool.run("dump", "--decode", Tool.conformance(name + ".pcap").toString());
        assertThat(spead.status()).as(spead.err()).isZero();
        assertThat(pcap.status()).as(pcap.err()).isZero();
        List<String> frames = pcap.lines();
        List<String> packets = spead.lines();
        assertThat(frames).hasSize(datagrams.size())
                .allMatch(l -> l.matches("frame \\d+: 127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:8888 .*"));

        int firstRejected = 0;
        while (firstRejected < frames.size() && !frames.get(firstRejected).contains("rejected")) {
            firstRejected++;
        }
        assertThat(packets.size()).isGreaterThanOrEqualTo(Math.min(firstRejected + 1, frames.size()));
        long offset = 0;
        for (int i = 0; i < firstRejected; i++) {
            assertThat(packets.get(i)).startsWith("packet " + i + " at " + offset + ": SPEAD-64-");
            assertThat(afterPrefix(packets.get(i))).isEqualTo(afterPrefix(frames.get(i)));
            offset += datagrams.get(i).length;
        }
        if (firstRejected == frames.size()) {
            assertThat(packets).as("every datagram decodes, so the walk reads the whole file").hasSize(frames.size());
            assertThat(offset).isEqualTo(Files.size(speadFile));
        } else {
            String frame = frames.get(firstRejected);
            int reason = frame.indexOf(" rejected (");
            if (reason >= 0) {
                // not parseable: the walk stops at the same bytes for the same reason
                assertThat(packets).hasSize(firstRejected + 1);
                assertThat(packets.getLast()).isEqualTo("packet " + firstRejected + " at " + offset + ":"
                        + frame.substring(reason) + "; stopping");
            } else {
                // parseable but not the datagram's length: the walk goes on at the packet's own length
                assertThat(packets.get(firstRejected)).startsWith("packet " + firstRejected + " at " + offset + ": ");
            }
        }
    }

    @Test
    void pcapngCaptureIsDecoded() {
        Tool r = Tool.run("dump", "--decode", Tool.shared().resolve("realworld/ska-low-tpm-channel-integ.pcapng").toString());
        assertThat(r.status()).isZero();
        // spead2 rejects every packet; dump says what each lacks and how the leniency options decode it
        assertThat(r.lines()).hasSize(1024)
                .allMatch(l -> l.contains("> 10.132.61.11:4660 rejected (packet does not have required items) "
                        + "lacks: PAYLOAD_OFFSET HEAP_LENGTH; with the leniency options: SPEAD-64-48 cnt="))
                .allMatch(l -> l.contains(" heap_length=1024 offset=0 length=1024 items: imm 0x1="));
        assertThat(r.lines().getFirst()).isEqualTo("frame 0: 10.130.3.53:61648 > 10.132.61.11:4660 rejected (packet "
                + "does not have required items) lacks: PAYLOAD_OFFSET HEAP_LENGTH; with the leniency options: "
                + "SPEAD-64-48 cnt=304576 heap_length=1024 offset=0 length=1024 items: imm 0x1=304576 imm 0x4=1024 "
                + "imm 0x1027=1752710363 imm 0x1600=132559215699 imm 0x2004=6 imm 0x2002=8 imm 0x2001=8590196736 "
                + "addr 0x3300=0");
    }

    @Test
    void spsV1PacketsSayTheirPayloadLengthIsZeroBeforeTheirPayload() {
        Tool r = Tool.run("dump", "--decode", Tool.shared().resolve("realworld/ska-low-sps-v1-testbench.pcap").toString());
        assertThat(r.status()).isZero();
        assertThat(r.lines()).hasSize(256).allMatch(l -> l.contains("192.168.255.1:2000 > 192.168.0.0:2001 rejected "
                + "(packet does not have required items) lacks: PAYLOAD_OFFSET PAYLOAD_LENGTH (0 or missing, 8192 "
                + "bytes follow the pointers) HEAP_LENGTH; with the leniency options: SPEAD-64-48 cnt="));
        assertThat(r.lines().getFirst()).endsWith("heap_length=8192 offset=0 length=8192 items: imm 0x1=0 imm 0x4=0 "
                + "imm 0x1027=1537202728 imm 0x1600=0 imm 0x1011=57031250 imm 0x3000=65609 imm 0x3001=1103806660864 "
                + "imm 0x3300=0");
    }

    @Test
    void framesTruncatedByTheCaptureShowTheirHeaderAndPointersAndSaySo() {
        Tool v2 = Tool.run("dump", "--decode", Tool.shared().resolve("realworld/ska-low-sps-v2-header.pcap").toString());
        assertThat(v2.status()).isZero();
        assertThat(v2.lines()).containsExactly("frame 0: 10.5.10.2:61648 > 10.0.10.100:4660 truncated by the capture "
                + "(caplen 128 < len 8306), 86 of 8264 UDP payload bytes: SPEAD-64-48 8 items: imm 0x1=90194643464 "
                + "imm 0x4=8192 imm 0x1027=1584589495 imm 0x1600=91306967040 imm 0x1011=90212281966 imm 0x3000=1047 "
                + "imm 0x3001=16 addr 0x3300=0 payload: 14 of 8192 bytes captured");
        Tool v3 = Tool.run("dump", "--decode", Tool.shared().resolve("realworld/ska-low-sps-v3-header.pcap").toString());
        assertThat(v3.status()).isZero();
        assertThat(v3.lines()).containsExactly("frame 0: 10.0.0.1:4660 > 10.0.0.2:4660 truncated by the capture "
                + "(caplen 128 < len 8290), 86 of 8248 UDP payload bytes: SPEAD-64-48 6 items: imm 0x1=4294967302 "
                + "imm 0x4=8192 imm 0x3010=281470681744594 imm 0x3000=65636 imm 0x3001=1103829532672 addr 0x3300=0 "
                + "payload: 30 of 8192 bytes captured");
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
        Path file = tmp.resolve("capture.pcap");
        ListeningTool.Running running = ListeningTool.start(false, p -> new String[] {"dump", "--bind", "127.0.0.1",
                "--count", "3", "--duration", "30", Integer.toString(p), file.toString()});
        int port = running.port();
        CompletableFuture<Tool> dump = running.tool();
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
                assertThat(udp.payload().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(payload);
                assertThat(frame.timestampNanos()).isPositive();
            }
        }
        assertThat(frames).isEqualTo(3);
    }
}
