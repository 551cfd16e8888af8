package io.spead4j.recv;

import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.net.FrameReject;
import io.spead4j.net.UdpPcapReader;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The captures of SKA-Low hardware in {@code ../shared/realworld/} (see its README), which bends SPEAD: no
 * HEAP_LENGTH, no PAYLOAD_OFFSET, a PAYLOAD_LENGTH of 0 before the payload, cnts shared by several senders,
 * and frames truncated by the capture. With the {@link StreamConfig} leniency options off a stream gives
 * what spead2 gives (no heap); with them on it gives one heap per packet, whose values are checked against
 * bytes read from the files at offsets worked out by hand (pcapng enhanced packet block: 28 bytes of block
 * header before the frame; classic pcap: 24-byte file header, 16-byte record header; then 14 + 20 + 8 bytes of
 * Ethernet, IPv4 and UDP headers, 8 bytes of SPEAD header and 8 per item pointer).
 */
@Timeout(60)
class LenientCaptureTest {
    private static final ThreadPool pool = TestPools.shared();
    private static final StreamConfig LENIENT = new StreamConfig().withLenientHardware(true);

    static Path capture(String name) {
        return Conformance.shared().resolve("realworld").resolve(name);
    }

    /** Reads a whole capture through a stream: the heaps as summaries, and the reader. */
    private record Read(List<Heap> heaps, StreamStats stats, PcapFileReader reader) {
    }

    private static Read read(String name, StreamConfig config) throws IOException, InterruptedException {
        Path file = capture(name);
        try (Stream stream = new Stream(pool, config, new RingStreamConfig().withHeaps(2048))) {
            PcapFileReader reader = new PcapFileReader(stream, UdpPcapReader.open(file, ""), file.toString());
            stream.addReader(reader);
            List<Heap> heaps = new ArrayList<>();
            for (HeapBase h : stream) {
                assertThat(h).isInstanceOf(Heap.class);
                heaps.add((Heap) h);
            }
            stream.awaitStopped();
            return new Read(heaps, stream.getStats(), reader);
        }
    }

    private static long immediate(HeapBase heap, long id) {
        for (RawItem item : heap.items()) {
            if (item.id() == id) {
                assertThat(item.immediate()).as("item 0x%x immediate", id).isTrue();
                ByteBuffer v = item.value();
                long x = 0;
                for (int i = 0; i < v.remaining(); i++) {
                    x = (x << 8) | (v.get(v.position() + i) & 0xFF);
                }
                return x;
            }
        }
        throw new AssertionError("heap " + heap.cnt() + " has no item 0x" + Long.toHexString(id));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void everyCaptureGivesNoHeapWithTheOptionsOffAsSpead2() throws Exception {
        for (String name : List.of("ska-low-tpm-channel-integ.pcapng", "ska-low-sps-v1-testbench.pcap",
                "ska-low-sps-v2-header.pcap", "ska-low-sps-v3-header.pcap")) {
            Read r = read(name, new StreamConfig());
            assertThat(r.heaps()).as(name).isEmpty();
            assertThat(r.stats().heaps()).as(name).isZero();
            assertThat(r.stats().packets()).as(name).isZero();
        }
    }

    @Test
    void tpmChannelDataGivesOneHeapPerPacketFromEachOfItsEightTiles() throws Exception {
        Read r = read("ska-low-tpm-channel-integ.pcapng", LENIENT);
        assertThat(r.heaps()).hasSize(1024);
        assertThat(r.stats().heaps()).isEqualTo(1024);
        assertThat(r.stats().singlePacketHeaps()).isEqualTo(1024);
        Map<InetSocketAddress, Integer> perSource = new HashMap<>();
        for (Heap heap : r.heaps()) {
            perSource.merge(heap.source().orElseThrow(), 1, Integer::sum);
            List<Long> ids = heap.items().stream().map(RawItem::id).sorted().toList();
            assertThat(ids).containsExactly(0x1027L, 0x1600L, 0x2001L, 0x2002L, 0x2004L, 0x3300L);
            RawItem data = heap.items().stream().filter(i -> i.id() == 0x3300).findFirst().orElseThrow();
            assertThat(data.immediate()).isFalse();
            assertThat(data.length()).isEqualTo(1024);
        }
        assertThat(perSource).hasSize(8).allSatisfy((source, n) -> {
            assertThat(source.getAddress().getHostAddress()).startsWith("10.130.3.");
            assertThat(source.getPort()).isEqualTo(61648);
            assertThat(n).isEqualTo(128);
        });
        byte[] file = Files.readAllBytes(capture("ska-low-tpm-channel-integ.pcapng"));
        // the first frame: enhanced packet block at 280, frame at 308, SPEAD at 350, payload at 350 + 8 + 64
        Heap first = r.heaps().getFirst();
        assertThat(first.cnt()).isEqualTo(0x4a5c0);
        assertThat(first.source().orElseThrow()).isEqualTo(new InetSocketAddress("10.130.3.53", 61648));
        assertThat(immediate(first, 0x1027)).isEqualTo(0x68783cdbL);
        assertThat(immediate(first, 0x1600)).isEqualTo(0x1edd251c53L);
        assertThat(immediate(first, 0x2001)).isEqualTo(0x000200040000L);
        assertThat(immediate(first, 0x2002)).isEqualTo(8);
        assertThat(immediate(first, 0x2004)).isEqualTo(6);
        assertThat(Arrays.copyOfRange(file, 350, 358)).containsExactly(0x53, 0x04, 0x02, 0x06, 0, 0, 0, 0x08);
        assertThat(bytes(first.items().stream().filter(i -> i.id() == 0x3300).findFirst().orElseThrow().value()))
                .isEqualTo(Arrays.copyOfRange(file, 422, 422 + 1024))
                .startsWith(0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00);
        // the last frame: SPEAD at 1199306, from the tile at 10.130.3.61
        Heap last = r.heaps().getLast();
        assertThat(last.cnt()).isEqualTo(0x4a5ff);
        assertThat(last.source().orElseThrow()).isEqualTo(new InetSocketAddress("10.130.3.61", 61648));
        assertThat(immediate(last, 0x1600)).isEqualTo(0x1eddfacb13L);
        assertThat(immediate(last, 0x2002)).isEqualTo(0x0001e0000808L);
        assertThat(immediate(last, 0x2001)).isEqualTo(0x000600040001L);
        assertThat(bytes(last.items().stream().filter(i -> i.id() == 0x3300).findFirst().orElseThrow().value()))
                .isEqualTo(Arrays.copyOfRange(file, 1199306 + 72, 1199306 + 72 + 1024));
        // 16 packets (two from each tile) share each of 64 cnts: none merged
        Map<Long, Integer> perCnt = new TreeMap<>();
        r.heaps().forEach(h -> perCnt.merge(h.cnt(), 1, Integer::sum));
        assertThat(perCnt).hasSize(64).allSatisfy((cnt, n) -> assertThat(n).isEqualTo(16));
        r.heaps().forEach(Heap::release);
    }

    @Test
    void spsV1StationBeamGivesOneHeapPerPacketWithTheBytesAfterThePointersAsPayload() throws Exception {
        Read r = read("ska-low-sps-v1-testbench.pcap", LENIENT);
        assertThat(r.heaps()).hasSize(256);
        byte[] file = Files.readAllBytes(capture("ska-low-sps-v1-testbench.pcap"));
        for (int k = 0; k < 256; k++) {
            Heap heap = r.heaps().get(k);
            // record k: 24-byte file header, 16 + 8306 bytes per record, then 42 bytes of headers
            int spead = 24 + k * (16 + 8306) + 16 + 42;
            MemorySegment packet = MemorySegment.ofArray(file).asSlice(spead, 8264);
            assertThat(heap.source().orElseThrow()).isEqualTo(new InetSocketAddress("192.168.255.1", 2000));
            assertThat(heap.cnt()).isEqualTo(pointerValue(packet, 0));
            assertThat(heap.payload().byteSize()).isEqualTo(8192);
            assertThat(heap.payload().toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(Arrays.copyOfRange(file, spead + 72, spead + 72 + 8192));
            long[] ids = {0x1027, 0x1600, 0x1011, 0x3000, 0x3001};
            for (int i = 0; i < ids.length; i++) {
                long pointer = packet.get(io.spead4j.wire.PacketHeader.BE_LONG, 8 + 8L * (2 + i));
                assertThat((pointer >>> 48) & 0x7FFF).as("pointer %d is item 0x%x", 2 + i, ids[i]).isEqualTo(ids[i]);
                assertThat(immediate(heap, ids[i])).as("heap %d item 0x%x", k, ids[i])
                        .isEqualTo(pointerValue(packet, 2 + i));
            }
            assertThat(immediate(heap, 0x3300)).isZero();
        }
        Heap first = r.heaps().getFirst();
        assertThat(first.cnt()).isZero();
        assertThat(immediate(first, 0x1027)).isEqualTo(0x5b9fda28L);
        assertThat(immediate(first, 0x1011)).isEqualTo(0x03663a52L);
        assertThat(immediate(first, 0x3000)).isEqualTo(0x010049L);
        assertThat(immediate(first, 0x3001)).isEqualTo(0x010100010100L);
        assertThat(first.payload().asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE))
                .containsExactly(0xf7, 0xfb, 0x0a, 0xfd);
        assertThat(r.heaps().getLast().cnt()).isEqualTo(0x00070000000fL);
        r.heaps().forEach(Heap::release);
    }

    /** @return the 48-bit value of item pointer {@code index} of a SPEAD-64-48 packet */
    private static long pointerValue(MemorySegment packet, int index) {
        long p = packet.get(io.spead4j.wire.PacketHeader.BE_LONG, 8 + 8L * index);
        return p & ((1L << 48) - 1);
    }

    @Test
    void truncatedSpsFramesAreCountedAsTruncatedAndNeverDecoded() throws Exception {
        for (String name : List.of("ska-low-sps-v2-header.pcap", "ska-low-sps-v3-header.pcap")) {
            for (StreamConfig config : List.of(new StreamConfig(), LENIENT)) {
                Read r = read(name, config);
                assertThat(r.heaps()).as(name).isEmpty();
                assertThat(r.stats().packets()).as(name).isZero();
                assertThat(r.reader().framesRead()).as(name).isEqualTo(1);
                assertThat(r.reader().frameRejects()).as(name).isEqualTo(Map.of(FrameReject.TRUNCATED, 1L));
                assertThat(r.reader().decodeRejects()).as(name).isEmpty();
                assertThat(r.reader().datagrams()).as(name).isZero();
            }
        }
    }
}
