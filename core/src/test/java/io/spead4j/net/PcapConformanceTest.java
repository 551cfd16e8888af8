package io.spead4j.net;

import io.spead4j.testing.Conformance;
import io.spead4j.wire.DecodeStatus;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every conformance case's NAME.pcap read without libpcap, checked against NAME.spead, and rewritten. */
class PcapConformanceTest {
    private static final int LOCALHOST = 0x7f000001;
    private static final int PORT = 8888;
    static List<String> names() {
        return Conformance.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void payloadsConcatenateToTheSpeadFile(String name) throws IOException {
        byte[] pcap = Conformance.bytes(name, "pcap");
        List<byte[]> payloads = new ArrayList<>();
        List<DecodeStatus> statuses = new ArrayList<>();
        PacketDecoder packet = new PacketDecoder();
        UdpFrameDecoder udp = new UdpFrameDecoder();
        long previous = -1;
        try (PcapReader reader = Captures.open(pcap)) {
            assertThat(reader.format()).isEqualTo(PcapReader.Format.PCAP);
            assertThat(reader.linkType()).isEqualTo(PcapFrame.LINKTYPE_ETHERNET);
            PcapFrame frame = new PcapFrame();
            while (reader.next(frame)) {
                assertThat(frame.capturedLength()).isEqualTo(frame.originalLength());
                assertThat(frame.timestampNanos() % 1000).as("microsecond file").isZero();
                assertThat(frame.timestampNanos()).isGreaterThan(previous);
                previous = frame.timestampNanos();
                assertThat(udp.decode(frame)).isEqualTo(FrameReject.OK);
                assertThat(udp.destinationAddress()).isEqualTo(LOCALHOST);
                assertThat(udp.destinationPort()).isEqualTo(PORT);
                assertThat(udp.sourceAddress()).isEqualTo(LOCALHOST);
                long size = packet.decode(udp.segment(), udp.payloadOffset(), udp.payloadLength());
                statuses.add(packet.status());
                if (packet.status() == DecodeStatus.OK) {
                    assertThat(size).as("payload decodes to exactly its length").isEqualTo(udp.payloadLength());
                }
                payloads.add(udp.payload().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            assertThat(reader.truncated()).isFalse();
            assertThat(reader.framesRead()).isEqualTo(payloads.size());
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        payloads.forEach(all::writeBytes);
        assertThat(all.toByteArray()).as("payloads back to back = %s.spead", name)
                .isEqualTo(Conformance.bytes(name, "spead"));
        // a frame that is not one whole SPEAD packet is garbage between packets: a buffer reader walking the
        // .spead stops exactly where that frame's bytes start, while every frame before it walks through
        int firstBad = statuses.indexOf(statuses.stream().filter(st -> st != DecodeStatus.OK).findFirst()
                .orElse(null));
        assertThat(Conformance.speadDecodesToTheEnd(name)).as("every frame decodes").isEqualTo(firstBad < 0);
        if (firstBad >= 0) {
            long badOffset = payloads.subList(0, firstBad).stream().mapToLong(b -> b.length).sum();
            byte[] spead = Conformance.bytes(name, "spead");
            MemorySegment s = MemorySegment.ofArray(spead);
            long offset = 0;
            while (true) {
                long size = packet.decode(s, offset, spead.length - offset);
                if (size == 0) {
                    break;
                }
                offset += size;
            }
            assertThat(offset).as("buffer walk stops at the first bad frame").isEqualTo(badOffset);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void pcapWriterReproducesTheFileByteForByte(String name) throws IOException {
        byte[] pcap = Conformance.bytes(name, "pcap");
        List<Captures.Captured> frames = Captures.readAll(pcap, 1 << 16);
        Captures.Sink sink = new Captures.Sink();
        UdpFrameDecoder udp = new UdpFrameDecoder();
        try (PcapWriter writer = PcapWriter.create(sink.channel, ByteOrder.LITTLE_ENDIAN,
                PcapWriter.Resolution.MICROSECONDS, PcapFrame.LINKTYPE_ETHERNET, 65535)) {
            for (Captures.Captured f : frames) {
                assertThat(udp.decode(PcapFrame.LINKTYPE_ETHERNET, MemorySegment.ofArray(f.data()), 0, f.data().length))
                        .isEqualTo(FrameReject.OK);
                writer.writeUdp(udp.sourceAddress(), udp.sourcePort(), udp.destinationAddress(), udp.destinationPort(),
                        udp.payload(), f.timestampNanos());
            }
        }
        // same headers (incl. IPv4 checksums and identification 0, 1, 2, ...), same timestamps
        assertThat(sink.toByteArray()).isEqualTo(pcap);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void classicRoundTripInBothByteOrdersAndResolutions(String name) throws IOException {
        List<Captures.Captured> original = Captures.readAll(Conformance.bytes(name, "pcap"), 4096);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (PcapWriter.Resolution resolution : PcapWriter.Resolution.values()) {
                Captures.Sink sink = new Captures.Sink();
                try (PcapWriter writer = PcapWriter.create(sink.channel, order, resolution,
                        PcapFrame.LINKTYPE_ETHERNET, PcapWriter.DEFAULT_SNAPLEN)) {
                    for (Captures.Captured f : original) {
                        writer.writeFrame(MemorySegment.ofArray(f.data()), f.originalLength(), f.timestampNanos());
                    }
                }
                byte[] file = sink.toByteArray();
                int magic = resolution == PcapWriter.Resolution.NANOSECONDS ? 0xa1b23c4d : 0xa1b2c3d4;
                assertThat(java.nio.ByteBuffer.wrap(file).order(order).getInt(0)).isEqualTo(magic);
                assertThat(Captures.readAll(file, 256)).as("%s %s", order, resolution).isEqualTo(original);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void pcapngRewriteReadsBackTheSameFrames(String name) throws IOException {
        List<Captures.Captured> original = Captures.readAll(Conformance.bytes(name, "pcap"), 1 << 20);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            Captures.Sink sink = new Captures.Sink();
            try (PcapngWriter writer = PcapngWriter.create(sink.channel, order)) {
                for (Captures.Captured f : original) {
                    writer.writeFrame(0, MemorySegment.ofArray(f.data()), f.originalLength(), f.timestampNanos());
                }
            }
            try (PcapReader reader = Captures.open(sink.toByteArray())) {
                assertThat(reader.format()).isEqualTo(PcapReader.Format.PCAPNG);
                assertThat(reader.linkType()).isEqualTo(PcapFrame.LINKTYPE_ETHERNET);
                assertThat(Captures.readAll(reader)).as("one %s section", order).isEqualTo(original);
                assertThat(reader.sections()).isEqualTo(1);
            }
        }
        // several sections of alternating byte order, microsecond and nanosecond interfaces, unknown blocks
        Captures.Sink sink = new Captures.Sink();
        int sections = 0;
        try (PcapngWriter writer = PcapngWriter.createEmpty(sink.channel)) {
            for (int i = 0; i < original.size(); i++) {
                if (i % 3 == 0) {
                    writer.startSection(sections % 2 == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                    writer.addInterface(PcapFrame.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROSECONDS);
                    writer.writeBlock(0x0bad0001, MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5}));
                    writer.addInterface(PcapFrame.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_NANOSECONDS);
                    sections++;
                }
                Captures.Captured f = original.get(i);
                writer.writeFrame(i % 2, MemorySegment.ofArray(f.data()), f.originalLength(), f.timestampNanos());
                writer.writeBlock(0x80000001, MemorySegment.ofArray(new byte[i % 7]));
            }
        }
        List<Captures.Captured> expected = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            Captures.Captured f = original.get(i);
            expected.add(new Captures.Captured(f.data(), f.timestampNanos(), f.originalLength(), f.linkType(), i % 2));
        }
        try (PcapReader reader = Captures.open(sink.toByteArray())) {
            assertThat(Captures.readAll(reader)).isEqualTo(expected);
            assertThat(reader.sections()).isEqualTo(sections);
            assertThat(reader.truncated()).isFalse();
        }
    }
}
