package io.spead4j.recv;

import io.spead4j.Item;
import io.spead4j.ItemGroup;
import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.net.PcapFrame;
import io.spead4j.net.PcapReader;
import io.spead4j.net.PcapWriter;
import io.spead4j.net.PcapngWriter;
import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.ItemValues;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The file readers: every conformance case read from its {@code .pcap} (and from the same frames rewritten as
 * pcapng) through {@link StreamBase#addUdpPcapFileReader} and from its {@code .spead} through
 * {@link StreamBase#addChannelReader} gives the same heaps (with their descriptors), the same final
 * {@link ItemGroup} (each item's id, dtype, shape, order, format and value) and the same behavioural statistics
 * as the buffer reader, wherever the buffer reader can read the whole {@code .spead}
 * ({@link Conformance#speadDecodesToTheEnd}). Where it cannot (garbage between packets: the buffer reader stops
 * at the first packet it cannot parse), the pcap reader, which judges each frame on its own, reads more; for
 * every case, the pcap reader with the default config counts what spead2_recv printed for that very
 * {@code .pcap} ({@code NAME.recv-plain.txt}).
 */
class FileReadersTest {
    private static final List<String> BEHAVIOUR = List.of("heaps", "packets", "incomplete_heaps_evicted",
            "incomplete_heaps_flushed", "single_packet_heaps");
    private static final ThreadPool pool = TestPools.shared();

    @TempDir
    Path tmp;

    static List<String> cases() {
        return Conformance.names();
    }

    /**
     * What a stream delivered: one line per heap (cnt, flags, items with their bytes, descriptors), the stats,
     * and one line per item of an ItemGroup fed every complete heap (id, name, dtype, shape, order, format,
     * value).
     */
    record Received(List<String> heaps, StreamStats stats, List<String> items) {
        long stat(String name) {
            return stats.get(name);
        }

        List<Long> behaviour() {
            return BEHAVIOUR.stream().map(stats::get).toList();
        }
    }

    @FunctionalInterface
    interface Source {
        void addTo(Stream stream) throws IOException;
    }

    private static Received receive(String name, Source source) throws Exception {
        JsonNode json = Conformance.json(name);
        return receive(ConformanceRecvTest.configFrom(json.get("recv_config")),
                ConformanceRecvTest.ringFrom(json.get("ring_config")), source);
    }

    private static Received receive(StreamConfig config, RingStreamConfig ring, Source source) throws Exception {
        List<String> heaps = new ArrayList<>();
        List<Heap> held = new ArrayList<>();
        ItemGroup group = new ItemGroup();
        try (Stream stream = new Stream(pool, config, ring)) {
            source.addTo(stream);
            for (HeapBase heap : stream) {
                heaps.add(describe(heap));
                if (heap instanceof Heap h) {
                    group.update(h);
                    held.add(h); // values view the heap's memory: release once the group is described
                }
            }
            List<String> items = new ArrayList<>();
            for (Item item : group.values()) {
                items.add(describe(item));
            }
            held.forEach(Heap::release);
            return new Received(heaps, stream.getStats(), items);
        }
    }

    static String describe(Item item) {
        return "0x" + Long.toHexString(item.id()) + " " + item.name() + " dtype=" + item.dtype()
                + " shape=" + Arrays.toString(item.shape()) + " order=" + item.order() + " format="
                + (item.format() == null ? null : item.format().entries()) + " value=" + ItemValues.of(item);
    }

    static String describe(HeapBase heap) {
        StringBuilder sb = new StringBuilder();
        sb.append("cnt=").append(heap.cnt()).append(" contiguous=").append(heap.isContiguous())
                .append(" start=").append(heap.isStartOfStream()).append(" end=").append(heap.isEndOfStream());
        if (heap instanceof IncompleteHeap h) {
            sb.append(" received=").append(h.receivedLength()).append(" ranges=").append(h.payloadRanges());
        }
        for (RawItem item : heap.items()) {
            sb.append(" [").append(Long.toHexString(item.id())).append(item.immediate() ? " imm " : " ")
                    .append(item.length()).append(' ').append(HexFormat.of().formatHex(item.bytes())).append(']');
        }
        if (heap instanceof Heap h) {
            sb.append(" descriptors=").append(h.descriptors());
        }
        return sb.toString();
    }

    private static Received fromBuffer(String name) throws Exception {
        return receive(name, s -> s.addBufferReader(Conformance.bytes(name, "spead")));
    }

    private static Path pcap(String name) {
        return Conformance.dir().resolve(name + ".pcap");
    }

    /** Rewrites every frame of a capture as pcapng (big-endian section, microsecond interface). */
    private Path asPcapng(String name) throws IOException {
        Path out = tmp.resolve(name + ".pcapng");
        try (PcapReader in = PcapReader.open(pcap(name));
             PcapngWriter w = PcapngWriter.createEmpty(FileChannel.open(out, StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE))) {
            w.startSection(ByteOrder.BIG_ENDIAN);
            int iface = w.addInterface(in.linkType(), 0, PcapngWriter.TSRESOL_MICROSECONDS);
            PcapFrame frame = new PcapFrame();
            while (in.next(frame)) {
                w.writeFrame(iface, frame.data(), frame.originalLength(), frame.timestampNanos());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pcapAndPcapngGiveWhatTheBufferReaderGives(String name) throws Exception {
        System.out.println("pcap file reader case: " + name);
        Received pcap = receive(name, s -> s.addUdpPcapFileReader(pcap(name)));
        Received pcapng = receive(name, s -> s.addUdpPcapFileReader(asPcapng(name)));
        assertThat(pcapng.heaps()).as("pcapng heaps").isEqualTo(pcap.heaps());
        assertThat(pcapng.items()).as("pcapng items").isEqualTo(pcap.items());
        assertThat(pcapng.behaviour()).as("pcapng stats").isEqualTo(pcap.behaviour());
        assertThat(pcap.stat("max_batch")).isLessThanOrEqualTo(PcapFileReader.BATCH);
        Received buffer = fromBuffer(name);
        if (Conformance.speadDecodesToTheEnd(name)) {
            assertThat(pcap.heaps()).as("heaps").isEqualTo(buffer.heaps());
            assertThat(pcap.items()).as("items").isEqualTo(buffer.items());
            assertThat(pcap.behaviour()).as(BEHAVIOUR.toString()).isEqualTo(buffer.behaviour());
        } else {
            // each frame is judged on its own, so the readable packets after a bad one are still received
            assertThat(pcap.stat("packets")).isGreaterThan(buffer.stat("packets"));
        }
    }

    /**
     * The pcap reader with spead2's default receive config, as spead2_recv read the same {@code .pcap}: the
     * behavioural statistics and the batching are what {@code NAME.recv-plain.txt} printed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pcapReaderCountsWhatSpead2RecvPrinted(String name) throws Exception {
        System.out.println("pcap reader vs spead2_recv case: " + name);
        Received pcap = receive(new StreamConfig(), new RingStreamConfig(4, false, true),
                s -> s.addUdpPcapFileReader(pcap(name)));
        Map<String, Long> printed = Conformance.printedStats(name);
        for (String stat : BEHAVIOUR) {
            assertThat(pcap.stat(stat)).as(stat).isEqualTo(printed.get(stat));
        }
        assertThat(pcap.stat("batches")).as("batches").isEqualTo(printed.get("batches"));
        assertThat(pcap.stat("max_batch")).as("max_batch").isEqualTo(printed.get("max_batch"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void channelReaderGivesWhatTheBufferReaderGives(String name) throws Exception {
        System.out.println("channel reader case: " + name);
        Path file = Conformance.dir().resolve(name + ".spead");
        Received channel = receive(name, s -> s.addChannelReader(file));
        Received stream = receive(name, s -> s.addStreamReader(new ByteArrayInputStream(Files.readAllBytes(file))));
        assertThat(stream.heaps()).isEqualTo(channel.heaps());
        assertThat(stream.items()).isEqualTo(channel.items());
        assertThat(stream.behaviour()).isEqualTo(channel.behaviour());
        Received buffer = fromBuffer(name);
        if (Conformance.speadDecodesToTheEnd(name)) {
            assertThat(channel.heaps()).as("heaps").isEqualTo(buffer.heaps());
            assertThat(channel.items()).as("items").isEqualTo(buffer.items());
            assertThat(channel.behaviour()).as(BEHAVIOUR.toString()).isEqualTo(buffer.behaviour());
        } else {
            // a byte stream resyncs past what it cannot parse (channelReaderResyncsPastMalformedPackets), so it
            // reads on where the buffer reader stopped
            assertThat(channel.stat("packets")).isGreaterThanOrEqualTo(buffer.stat("packets"));
        }
    }

    /**
     * How the byte-stream framing resyncs, with the {@code garbage} capture as a fixture: past the bad packets
     * (8 bytes at a time for a header without a size) it also lands on the descriptors embedded in the
     * malformed packets' payloads, which are SPEAD packets themselves: the real heap, then three single-packet
     * descriptor heaps; the stop packet is skipped while resyncing, so the end of the file stops the stream.
     */
    @Test
    void channelReaderResyncsPastMalformedPackets() throws Exception {
        Path file = Conformance.dir().resolve("garbage.spead");
        assertThat(Conformance.speadDecodesToTheEnd("garbage")).isFalse();
        Received channel = receive("garbage", s -> s.addChannelReader(file));
        Received pcap = receive("garbage", s -> s.addUdpPcapFileReader(pcap("garbage")));
        assertThat(channel.heaps()).hasSize(4);
        assertThat(channel.heaps().getFirst()).isEqualTo(pcap.heaps().getFirst());
        assertThat(channel.heaps().subList(1, 4)).allSatisfy(h -> assertThat(h)
                .startsWith("cnt=1 contiguous=true").contains("[14 imm 5 0000008000]"));
        assertThat(channel.behaviour()).as(BEHAVIOUR.toString()).isEqualTo(List.of(4L, 4L, 0L, 0L, 4L));
        assertThat(channel.stat("packets")).isGreaterThan(fromBuffer("garbage").stat("packets"));
    }

    @Test
    void realCaptureIsReadToTheEndWithoutAHeap() throws Exception {
        Path file = Conformance.shared().resolve("realworld/ska-low-tpm-channel-integ.pcapng");
        try (Stream stream = new Stream(pool)) {
            PcapFileReader reader = new PcapFileReader(stream, io.spead4j.net.UdpPcapReader.open(file, ""),
                    file.toString());
            stream.addReader(reader);
            List<HeapBase> heaps = new ArrayList<>();
            stream.forEach(heaps::add);
            assertThat(heaps).isEmpty();
            stream.awaitStopped();
            StreamStats stats = stream.getStats();
            // no frame decodes (the TPM packets lack PAYLOAD_OFFSET); spead2 counts the 16 batches of 64
            // frames, but not the last one, which met the end of the file with 0 packets
            for (int i = 0; i < stats.size(); i++) {
                String stat = stats.config().get(i).name();
                assertThat(stats.get(i)).as(stat).isEqualTo(stat.equals("batches") ? 16 : 0);
            }
            assertThat(reader.framesRead()).isEqualTo(1024);
            assertThat(reader.datagrams()).isEqualTo(1024);
            assertThat(reader.frameRejects()).isEmpty();
            assertThat(reader.decodeRejects()).isEqualTo(Map.of(io.spead4j.wire.DecodeStatus.MISSING_ITEMS, 1024L));
        }
        try (Stream stream = new Stream(pool)) {
            stream.addUdpPcapFileReader(file, "udp port 4660 and src host 10.130.3.49");
            stream.awaitStopped();
            assertThat(stream.getStats().packets()).isZero();
            assertThat(stream.getStats().batches()).as("128 frames pass the filter").isEqualTo(2);
        }
    }

    @Test
    void badFilesAndFiltersAreRefusedByTheAddCall() throws Exception {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello, this is not a capture file\n");
        Path raw = tmp.resolve("raw.pcap");
        try (PcapWriter w = PcapWriter.create(FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), ByteOrder.LITTLE_ENDIAN, PcapWriter.Resolution.MICROSECONDS, 101, 65535)) {
            w.flush();
        }
        try (Stream stream = new Stream(pool)) {
            assertThatThrownBy(() -> stream.addUdpPcapFileReader(text)).isInstanceOf(IOException.class)
                    .hasMessageContaining("not a pcap or pcapng file");
            assertThatThrownBy(() -> stream.addUdpPcapFileReader(raw)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("link type 101");
            assertThatThrownBy(() -> stream.addUdpPcapFileReader(pcap("basic_items"), "tcp port 80"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("filter");
            assertThatThrownBy(() -> stream.addUdpPcapFileReader(tmp.resolve("missing.pcap")))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> stream.addChannelReader(Channels.newChannel(new ByteArrayInputStream(new byte[0])), 8))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(stream.isStopped()).isFalse();
        }
    }

    @Test
    void filterSelectsDatagrams() throws Exception {
        Received none = receive("basic_items", s -> s.addUdpPcapFileReader(pcap("basic_items"), "udp port 9999"));
        assertThat(none.heaps()).isEmpty();
        assertThat(none.stat("packets")).isZero();
        Received all = receive("basic_items", s -> s.addUdpPcapFileReader(pcap("basic_items"), "udp dst port 8888"));
        assertThat(all.heaps()).isEqualTo(fromBuffer("basic_items").heaps());
    }

    @Test
    void endOfAnEmptyChannelStopsTheStreamWithoutCountingABatch() throws Exception {
        try (Stream stream = new Stream(pool)) {
            stream.addStreamReader(new ByteArrayInputStream(new byte[0]));
            assertThat(stream.iterator().hasNext()).isFalse();
            assertThat(stream.getStats().batches()).isZero();
            assertThat(stream.getStats().packets()).isZero();
        }
    }

    @Test
    void readersAddedToAStoppedStreamCloseTheirSource() throws Exception {
        Path file = Conformance.dir().resolve("basic_items.spead");
        try (Stream stream = new Stream(pool)) {
            stream.stop();
            FileChannel channel = FileChannel.open(file);
            stream.addChannelReader(channel);
            assertThat(channel.isOpen()).isFalse();
        }
    }
}
