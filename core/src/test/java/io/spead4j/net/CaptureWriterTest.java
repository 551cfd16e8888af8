package io.spead4j.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PcapWriter and PcapngWriter: formats, timestamp conversion and argument checks. */
class CaptureWriterTest {
    private static final int SRC = 0x0a000001;
    private static final int DST = 0x0a000002;
    private static final MemorySegment PAYLOAD = MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5});
    private static final long TS = 1_752_853_531_953_411_785L;

    @Test
    void pcapWriterDefaultsToNanosecondLittleEndianEthernet(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.writeUdp(SRC, 1, DST, 2, PAYLOAD, TS);
            writer.writeUdp(SRC, 3, DST, 4, PAYLOAD.asSlice(0, 0), 0);
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(0xa1b23c4d);
        assertThat(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(20)).isEqualTo(1);
        try (UdpPcapReader reader = UdpPcapReader.open(file, "")) {
            assertThat(reader.next()).isTrue();
            assertThat(reader.frame().timestampNanos()).isEqualTo(TS);
            assertThat(reader.datagram().payload().toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, 2, 3, 4, 5);
            assertThat(reader.next()).isTrue();
            assertThat(reader.datagram().sourcePort()).isEqualTo(3);
            assertThat(reader.datagram().payloadLength()).isZero();
            assertThat(reader.next()).isFalse();
        }
    }

    @Test
    void microsecondFilesTruncateTheTimestamp() throws IOException {
        Captures.Sink sink = new Captures.Sink();
        try (PcapWriter writer = PcapWriter.create(sink.channel, ByteOrder.BIG_ENDIAN, PcapWriter.Resolution.MICROSECONDS,
                PcapFrame.LINKTYPE_ETHERNET, 1500)) {
            writer.writeUdp(SRC, 1, DST, 2, PAYLOAD, TS);
        }
        byte[] bytes = sink.toByteArray();
        assertThat(ByteBuffer.wrap(bytes).getInt(0)).isEqualTo(0xa1b2c3d4);
        assertThat(Captures.readAll(bytes, 64).getFirst().timestampNanos()).isEqualTo(TS - 785);
    }

    @Test
    void pcapWriterRefusesBadArguments() throws IOException {
        try (PcapWriter writer = PcapWriter.create(new Captures.Sink().channel, ByteOrder.LITTLE_ENDIAN,
                PcapWriter.Resolution.NANOSECONDS, PcapFrame.LINKTYPE_ETHERNET, 0)) {
            assertThatThrownBy(() -> writer.writeUdp(SRC, 1, DST, 2, PAYLOAD, -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
            assertThatThrownBy(() -> writer.writeUdp(SRC, 1, DST, 2, PAYLOAD, (1L << 32) * 1_000_000_000L))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32-bit");
            assertThatThrownBy(() -> writer.writeUdp(SRC, 1, DST, 2,
                    MemorySegment.ofArray(new byte[UdpFrameBuilder.MAX_PAYLOAD + 1]), 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UDP payload");
            assertThatThrownBy(() -> writer.writeUdp(SRC, 70000, DST, 2, PAYLOAD, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        }
        assertThatThrownBy(() -> PcapWriter.create(new Captures.Sink().channel, ByteOrder.LITTLE_ENDIAN,
                PcapWriter.Resolution.NANOSECONDS, 70000, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pcapngWriterConvertsTimestampsPerInterfaceResolution(@TempDir Path dir) throws IOException {
        byte[] frame = Captures.udpFrame(SRC, 1, DST, 2, new byte[45], 0);
        Captures.Sink sink = new Captures.Sink();
        try (PcapngWriter writer = PcapngWriter.createEmpty(sink.channel)) {
            writer.startSection(ByteOrder.BIG_ENDIAN);
            writer.addInterface(PcapFrame.LINKTYPE_ETHERNET, 0, 0x80 | 30);
            writer.addInterface(PcapFrame.LINKTYPE_ETHERNET, 0, 0x80);
            writer.addInterface(PcapFrame.LINKTYPE_ETHERNET, 0, PcapngWriter.TSRESOL_MICROSECONDS);
            writer.addInterface(PcapFrame.LINKTYPE_ETHERNET, 0, 12);
            for (int i = 0; i < 4; i++) {
                writer.writeFrame(i, MemorySegment.ofArray(frame), frame.length, 1_500_000_999L);
            }
            writer.startSection(ByteOrder.LITTLE_ENDIAN);
            writer.addInterface(PcapFrame.LINKTYPE_LINUX_SLL, 40, PcapngWriter.TSRESOL_NANOSECONDS);
            writer.writeSimplePacket(MemorySegment.ofArray(frame), frame.length);
            writer.writeSimplePacket(MemorySegment.ofArray(frame).asSlice(0, 30), 30);
        }
        List<Captures.Captured> frames = Captures.readAll(sink.toByteArray(), 100);
        assertThat(frames).extracting(Captures.Captured::timestampNanos)
                .containsExactly(1_500_000_998L, 1_000_000_000L, 1_500_000_000L, 1_500_000_999L, 0L, 0L);
        assertThat(frames).extracting(f -> f.data().length).containsExactly(frame.length, frame.length,
                frame.length, frame.length, 40, 30);
        assertThat(frames).extracting(Captures.Captured::linkType).containsExactly(1, 1, 1, 1, 113, 113);

        Path file = dir.resolve("out.pcapng");
        try (PcapngWriter writer = PcapngWriter.create(file)) {
            writer.writeUdp(SRC, 1, DST, 2, PAYLOAD, TS);
        }
        try (PcapReader reader = PcapReader.open(file)) {
            assertThat(reader.format()).isEqualTo(PcapReader.Format.PCAPNG);
            assertThat(Captures.readAll(reader)).extracting(Captures.Captured::timestampNanos).containsExactly(TS);
        }
    }

    @Test
    void pcapngWriterRefusesMisuse() throws IOException {
        try (PcapngWriter writer = PcapngWriter.createEmpty(new Captures.Sink().channel)) {
            assertThatThrownBy(() -> writer.writeUdp(SRC, 1, DST, 2, PAYLOAD, 0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("startSection");
            writer.startSection(ByteOrder.LITTLE_ENDIAN);
            assertThatThrownBy(() -> writer.writeFrame(0, PAYLOAD, 5, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interface 0 is not described");
            assertThatThrownBy(() -> writer.addInterface(1, 0, 19)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.addInterface(1, 0, 0x80 | 63)).isInstanceOf(IllegalArgumentException.class);
            writer.addInterface(PcapFrame.LINKTYPE_LINUX_SLL, 0, 9);
            assertThatThrownBy(() -> writer.writeUdp(SRC, 1, DST, 2, PAYLOAD, 0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("link type 113");
        }
    }

    @Test
    void udpPcapReaderAppliesSpead2sChecksAndTheUserFilter(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mixed.pcap");
        byte[] good = Captures.udpFrame(SRC, 5000, DST, 8888, new byte[] {9}, 0);
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.writeUdp(SRC, 5000, DST, 8888, PAYLOAD, 1);
            writer.writeUdp(SRC, 5000, DST, 9999, PAYLOAD, 2);
            byte[] vlan = good.clone();
            vlan[12] = (byte) 0x81;
            vlan[13] = 0;
            writer.writeFrame(MemorySegment.ofArray(vlan), 3);
            byte[] fragment = good.clone();
            fragment[14 + 6] = 0x20;
            writer.writeFrame(MemorySegment.ofArray(fragment), 4);
            writer.writeFrame(MemorySegment.ofArray(good), good.length + 10, 5);
            writer.writeUdp(DST, 8888, SRC, 5000, PAYLOAD, 6);
        }
        try (UdpPcapReader reader = UdpPcapReader.open(file, "dst port 8888")) {
            assertThat(reader.next()).isTrue();
            assertThat(reader.frame().timestampNanos()).isEqualTo(1);
            assertThat(reader.next()).isFalse();
            assertThat(reader.accepted()).isEqualTo(1);
            assertThat(reader.filtered()).isEqualTo(2);
            assertThat(reader.rejected(FrameReject.NOT_IPV4)).isEqualTo(1);
            assertThat(reader.rejected(FrameReject.FRAGMENTED)).isEqualTo(1);
            assertThat(reader.rejected(FrameReject.TRUNCATED)).isEqualTo(1);
            assertThat(reader.capture().framesRead()).isEqualTo(6);
        }
        assertThatThrownBy(() -> UdpPcapReader.open(file, "tcp")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PacketFilter.SUPPORTED);

        Path raw = dir.resolve("raw.pcap");
        try (PcapWriter writer = PcapWriter.create(Files.newByteChannel(raw, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE), ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.NANOSECONDS,
                101, 65535)) {
            writer.writeFrame(MemorySegment.ofArray(good).asSlice(14), 0);
        }
        assertThatThrownBy(() -> UdpPcapReader.open(raw, "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("link type 101 is neither Ethernet (1) nor Linux SLL (113)");
    }
}
