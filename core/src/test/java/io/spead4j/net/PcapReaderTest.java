package io.spead4j.net;

import io.spead4j.testing.Conformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-built pcap and pcapng files: formats, timestamps, block kinds, refusals and truncation. */
class PcapReaderTest {
    private static final byte[] FRAME = Captures.udpFrame(0x0a000001, 1000, 0x0a000002, 2000, new byte[] {1, 2, 3}, 7);

    @Test
    void refusesAFileThatIsNeitherPcapNorPcapng(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("hello.txt");
        Files.writeString(file, "hello world, this is not a capture");
        assertThatThrownBy(() -> PcapReader.open(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("not a pcap or pcapng file (magic 0x68656c6c)");
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> PcapReader.open(empty)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("not a pcap or pcapng file (only 0 bytes)");
        assertThatThrownBy(() -> Captures.open(new byte[] {(byte) 0xd4, (byte) 0xc3}))
                .hasMessageStartingWith("not a pcap or pcapng file (only 2 bytes)");
    }

    @Test
    void refusesATruncatedClassicHeader() {
        byte[] header = Arrays.copyOf(Conformance.bytes("basic_items", "pcap"), 10);
        assertThatThrownBy(() -> Captures.open(header)).isInstanceOf(EOFException.class)
                .hasMessageContaining("truncated pcap file header");
    }

    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(ints = {64, 300, 4096, 1 << 20})
    void stopsCleanlyAtATruncatedFinalRecord(int bufferSize) throws IOException {
        byte[] pcap = Conformance.bytes("flavour_48", "pcap");
        List<Captures.Captured> all = Captures.readAll(pcap, bufferSize);
        assertThat(all).hasSize(7);
        int lastRecord = pcap.length - 16 - all.get(6).data().length;
        for (int cut : new int[] {pcap.length - 1, lastRecord + 20, lastRecord + 15, lastRecord + 1}) {
            try (PcapReader reader = PcapReader.open(java.nio.channels.Channels.newChannel(
                    new java.io.ByteArrayInputStream(Arrays.copyOf(pcap, cut))), "cut", bufferSize)) {
                assertThat(Captures.readAll(reader)).as("cut at %d", cut).isEqualTo(all.subList(0, 6));
                assertThat(reader.truncated()).isTrue();
                PcapFrame frame = new PcapFrame();
                assertThat(reader.next(frame)).as("stays at the end").isFalse();
            }
        }
        try (PcapReader reader = Captures.open(Arrays.copyOf(pcap, lastRecord))) {
            assertThat(Captures.readAll(reader)).isEqualTo(all.subList(0, 6));
            assertThat(reader.truncated()).as("cut on a record boundary").isFalse();
        }
    }

    @Test
    void stopsCleanlyAtATruncatedFinalPcapngBlock() throws IOException {
        Captures.Sink sink = new Captures.Sink();
        try (PcapngWriter writer = PcapngWriter.create(sink.channel, ByteOrder.BIG_ENDIAN)) {
            for (int i = 0; i < 3; i++) {
                writer.writeFrame(0, MemorySegment.ofArray(FRAME), FRAME.length, 1_000_000_000L * i + i);
            }
        }
        byte[] file = sink.toByteArray();
        for (int cut = 1; cut <= 20; cut++) {
            try (PcapReader reader = Captures.open(Arrays.copyOf(file, file.length - cut))) {
                List<Captures.Captured> frames = Captures.readAll(reader);
                assertThat(frames).hasSize(2);
                assertThat(frames.get(1).timestampNanos()).isEqualTo(1_000_000_001L);
                assertThat(reader.truncated()).isTrue();
            }
        }
    }

    @Test
    void readsClassicTimestampsInEveryByteOrderAndResolution() throws IOException {
        record Case(ByteOrder order, int magic, long expected) {
        }
        for (Case c : List.of(new Case(ByteOrder.BIG_ENDIAN, 0xa1b2c3d4, 1_999_999_000L),
                new Case(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 1_999_999_000L),
                new Case(ByteOrder.BIG_ENDIAN, 0xa1b23c4d, 1_000_999_999L),
                new Case(ByteOrder.LITTLE_ENDIAN, 0xa1b23c4d, 1_000_999_999L))) {
            long fraction = 999_999L; // microseconds or nanoseconds, by magic
            ByteBuffer b = ByteBuffer.allocate(24 + 16 + FRAME.length).order(c.order);
            // the link type field's upper bits (FCS length) are not part of the link type
            b.putInt(c.magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535)
                    .putInt(0x14000001);
            b.putInt(1).putInt((int) fraction).putInt(FRAME.length).putInt(FRAME.length).put(FRAME);
            try (PcapReader reader = Captures.open(b.array())) {
                assertThat(reader.linkType()).isEqualTo(PcapFrame.LINKTYPE_ETHERNET);
                assertThat(reader.snaplen()).isEqualTo(65535);
                PcapFrame frame = new PcapFrame();
                assertThat(reader.next(frame)).isTrue();
                assertThat(frame.timestampNanos()).as("%s %x", c.order, c.magic).isEqualTo(c.expected);
                assertThat(frame.toByteArray()).isEqualTo(FRAME);
                assertThat(reader.next(frame)).isFalse();
                assertThat(reader.truncated()).isFalse();
            }
        }
    }

    @Test
    void readsPcapngTimestampResolutionsAndOffsets() throws IOException {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] file = new Captures.Blocks().section(order)
                    .iface(1, 0) // no if_tsresol: microseconds
                    .iface(1, 0, 9, new byte[] {3}) // milliseconds
                    .iface(1, 0, 9, new byte[] {(byte) 0x8a}) // 2^-10 s
                    .iface(1, 0, 9, new byte[] {12}) // picoseconds
                    .iface(1, 0, 9, new byte[] {(byte) 0x9e}, 14, longBytes(order, 100)) // 2^-30 s, +100 s
                    .iface(1, 0, 2, "eth0".getBytes(StandardCharsets.US_ASCII), 9, new byte[] {9}) // ns
                    .epb(0, 1_500_000L, FRAME, FRAME.length)
                    .epb(1, 1_500L, FRAME, FRAME.length)
                    .epb(2, 1_536L, FRAME, FRAME.length)
                    .epb(3, 1_500_000_000_123L, FRAME, FRAME.length)
                    .epb(4, 3L << 29, FRAME, FRAME.length)
                    .epb(5, 1_752_853_531_953_411_785L, FRAME, FRAME.length)
                    .bytes();
            List<Captures.Captured> frames = Captures.readAll(file, 128);
            assertThat(frames).extracting(Captures.Captured::timestampNanos).as("%s", order).containsExactly(
                    1_500_000_000L, 1_500_000_000L, 1_500_000_000L, 1_500_000_000L, 101_500_000_000L,
                    1_752_853_531_953_411_785L);
            assertThat(frames).extracting(Captures.Captured::interfaceId).containsExactly(0, 1, 2, 3, 4, 5);
        }
    }

    @Test
    void readsSimpleAndObsoletePacketBlocks() throws IOException {
        byte[] sixty = Arrays.copyOf(FRAME, 60);
        byte[] file = new Captures.Blocks().section(ByteOrder.BIG_ENDIAN).iface(1, 50)
                .spb(100, sixty) // snaplen wins
                .section(ByteOrder.LITTLE_ENDIAN).iface(113, 0).iface(1, 0)
                .spb(FRAME.length, FRAME) // original length wins over the padded block room
                .spb(100, sixty) // block room wins
                .opb(1, 2_000_000L, FRAME)
                .bytes();
        List<Captures.Captured> frames = Captures.readAll(file, 64);
        assertThat(frames).extracting(f -> f.data().length).containsExactly(50, FRAME.length, 60, FRAME.length);
        assertThat(frames).extracting(Captures.Captured::originalLength).containsExactly(100, FRAME.length, 100,
                FRAME.length);
        assertThat(frames).extracting(Captures.Captured::linkType).containsExactly(1, 113, 113, 1);
        assertThat(frames).extracting(Captures.Captured::interfaceId).containsExactly(0, 0, 0, 1);
        assertThat(frames).extracting(Captures.Captured::timestampNanos).containsExactly(0L, 0L, 0L, 2_000_000_000L);
        assertThat(frames.get(0).data()).isEqualTo(Arrays.copyOf(FRAME, 50));
        assertThat(frames.get(1).data()).isEqualTo(FRAME);
    }

    @Test
    void eachSectionResetsTheInterfacesAndSkipsUnknownBlocks() throws IOException {
        byte[] file = new Captures.Blocks().section(ByteOrder.LITTLE_ENDIAN).iface(1, 0).iface(1, 0)
                .block(0x40000bad, new byte[] {9, 9, 9})
                .epb(1, 1, FRAME, FRAME.length)
                .section(ByteOrder.BIG_ENDIAN).iface(113, 0)
                .block(5, new byte[20]) // interface statistics: skipped
                .epb(0, 2, FRAME, FRAME.length)
                .epb(1, 3, FRAME, FRAME.length) // the new section has only interface 0
                .bytes();
        try (PcapReader reader = Captures.open(file)) {
            assertThat(reader.linkType()).isEqualTo(1);
            PcapFrame frame = new PcapFrame();
            assertThat(reader.next(frame)).isTrue();
            assertThat(frame.interfaceId()).isEqualTo(1);
            assertThat(reader.next(frame)).isTrue();
            assertThat(frame.linkType()).isEqualTo(113);
            assertThat(frame.timestampNanos()).isEqualTo(2000);
            assertThat(reader.sections()).isEqualTo(2);
            assertThatThrownBy(() -> reader.next(frame)).isInstanceOf(IOException.class)
                    .hasMessageContaining("refers to interface 1 but its section describes 1");
        }
    }

    @Test
    void refusesCorruptPcapngStructure() {
        byte[] badLength = new Captures.Blocks().section(ByteOrder.LITTLE_ENDIAN).iface(1, 0)
                .raw(new byte[] {6, 0, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).bytes();
        assertThatThrownBy(() -> Captures.readAll(badLength, 4096)).hasRootCauseMessage(
                "corrupt pcapng block of type 0x6: length 13 after frame 0: test");
        byte[] noInterface = new Captures.Blocks().section(ByteOrder.LITTLE_ENDIAN).spb(3, new byte[3]).bytes();
        assertThatThrownBy(() -> Captures.readAll(noInterface, 4096)).hasRootCauseMessage(
                "pcapng simple packet block before any interface description: test");
        byte[] badMagic = new Captures.Blocks().section(ByteOrder.LITTLE_ENDIAN).bytes();
        badMagic[8] = 0;
        assertThatThrownBy(() -> Captures.readAll(badMagic, 4096)).rootCause().hasMessageContaining(
                "corrupt pcapng section header: byte-order magic");
        byte[] badTrailer = new Captures.Blocks().section(ByteOrder.LITTLE_ENDIAN).iface(1, 0).bytes();
        badTrailer[badTrailer.length - 4] = 8;
        assertThatThrownBy(() -> Captures.readAll(badTrailer, 4096)).rootCause().hasMessageContaining(
                "trailing length 8 != 20");
    }

    @Test
    void refusesUseAfterClose() throws IOException {
        PcapReader reader = Captures.open(Conformance.bytes("basic_items", "pcap"));
        reader.close();
        assertThatThrownBy(() -> reader.next(new PcapFrame())).isInstanceOf(IllegalStateException.class);
    }

    private static byte[] longBytes(ByteOrder order, long value) {
        return ByteBuffer.allocate(8).order(order).putLong(value).array();
    }
}
