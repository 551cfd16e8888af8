package io.spead4j.recv;

import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conformance streams received through a chunk stream: every {@code sent_as_is} case whose item group has a
 * {@code timestamp} item carried as an immediate by its data heaps (decided from the case's JSON) is placed
 * by {@link TimestampPlacer}, 4 heaps a chunk, and each heap's payload must equal what the ring stream
 * gives, with every heap present; with one packet of a heap removed, that heap is absent and the others
 * intact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChunkConformanceTest {
    private static final ThreadPool pool = TestPools.shared();
    private static final int HEAPS_PER_CHUNK = 4;

    /** @return the cases with a timestamp immediate in their data heaps and the default receive config */
    static List<String> timestampCases() {
        List<String> out = new ArrayList<>();
        for (String name : Conformance.sentAsIs()) {
            JsonNode json = Conformance.json(name);
            JsonNode timestamp = json.path("item_group").path("timestamp");
            if (timestamp.isMissingNode() || !json.path("recv_config").isEmpty()) {
                continue;
            }
            long id = timestamp.path("id").asLong();
            for (JsonNode heap : json.path("heaps")) {
                for (JsonNode item : heap.path("items")) {
                    if (item.path("id").asLong() == id && item.path("immediate").asBoolean()) {
                        out.add(name);
                        break;
                    }
                }
                if (out.contains(name)) {
                    break;
                }
            }
        }
        return out;
    }

    /** The packets of a case, in order, each as its own array. */
    private static List<byte[]> packets(byte[] spead) {
        List<byte[]> out = new ArrayList<>();
        MemorySegment all = MemorySegment.ofArray(spead);
        long offset = 0;
        PacketDecoder decoder = new PacketDecoder();
        while (offset < spead.length) {
            long size = decoder.decode(all, offset, spead.length - offset);
            assertThat(size).as("packet at %d decodes", offset).isPositive();
            out.add(java.util.Arrays.copyOfRange(spead, (int) offset, (int) (offset + size)));
            offset += size;
        }
        return out;
    }

    private record Shape(long timestampId, long step, long heapLength, Map<Long, Long> timestampByCnt) {
    }

    /** Timestamps of the heaps (by cnt) and the shape: step = gcd of the timestamps, one heap length. */
    private static Shape shape(String name, List<byte[]> packets) {
        long id = Conformance.json(name).path("item_group").path("timestamp").path("id").asLong();
        Map<Long, Long> timestamps = new LinkedHashMap<>();
        Map<Long, Long> lengths = new HashMap<>();
        PacketDecoder d = new PacketDecoder();
        for (byte[] p : packets) {
            d.decode(MemorySegment.ofArray(p), 0, p.length);
            for (int i = 0; i < d.numItems(); i++) {
                long pointer = d.rawPointer(i);
                if (pointer < 0 && io.spead4j.wire.ItemPointer.id(pointer, d.heapAddressBits()) == id) {
                    timestamps.put(d.heapCnt(), io.spead4j.wire.ItemPointer.value(pointer, d.heapAddressBits()));
                    lengths.put(d.heapCnt(), d.heapLength());
                }
            }
        }
        BigInteger gcd = BigInteger.ZERO;
        for (long t : timestamps.values()) {
            gcd = gcd.gcd(BigInteger.valueOf(t));
        }
        assertThat(lengths.values().stream().distinct()).as("one heap length for the data heaps").hasSize(1);
        assertThat(timestamps.values().stream().distinct()).as("one heap per timestamp")
                .hasSize(timestamps.size());
        return new Shape(id, gcd.longValueExact(), lengths.values().iterator().next(), timestamps);
    }

    /** The payload of each data heap as the ring stream gives it: its addressed items back to back. */
    private static Map<Long, byte[]> ringPayloads(byte[] spead, Shape shape) {
        Map<Long, byte[]> out = new HashMap<>();
        try (Stream ring = new Stream(pool, new StreamConfig(), new RingStreamConfig(1024, true, false))) {
            ring.addBufferReader(spead);
            for (HeapBase heap : Drain.heaps(ring)) {
                if (!shape.timestampByCnt().containsKey(heap.cnt())) {
                    continue;
                }
                ByteArrayOutputStream payload = new ByteArrayOutputStream();
                for (RawItem item : heap.items()) {
                    if (!item.immediate()) {
                        payload.writeBytes(item.bytes());
                    }
                }
                out.put(heap.cnt(), payload.toByteArray());
            }
        }
        return out;
    }

    /** Receives the bytes through a chunk stream; returns the chunks' presence and payload per heap cnt. */
    private static Map<Long, byte[]> chunkPayloads(byte[] spead, Shape shape, TimestampPlacer placer)
            throws InterruptedException {
        Map<Long, byte[]> out = new HashMap<>();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        try (ChunkRingStream stream = TimestampPlacerRingStreams.withFourFreeChunks(pool, placer, data,
                new ChunkRingbuffer(4))) {
            stream.addBufferReader(spead);
            for (Chunk chunk : data) {
                for (Map.Entry<Long, Long> e : shape.timestampByCnt().entrySet()) {
                    long t = e.getValue() / shape.step();
                    if (t / HEAPS_PER_CHUNK == chunk.chunkId()) {
                        int slot = (int) (t % HEAPS_PER_CHUNK);
                        if (chunk.isPresent(slot)) {
                            out.put(e.getKey(), chunk.data().asSlice(slot * shape.heapLength(), shape.heapLength())
                                    .toArray(ValueLayout.JAVA_BYTE));
                        }
                    }
                }
                stream.addFreeChunk(chunk);
            }
            stream.awaitStopped();
            assertThat(stream.getStats().get("too_old_heaps")).isZero();
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("timestampCases")
    void chunkPayloadsEqualRingPayloads(String name) throws InterruptedException {
        byte[] spead = Conformance.bytes(name, "spead");
        List<byte[]> packets = packets(spead);
        Shape shape = shape(name, packets);
        TimestampPlacer placer = new TimestampPlacer(shape.timestampId(), shape.step(), HEAPS_PER_CHUNK,
                shape.heapLength());
        Map<Long, byte[]> ring = ringPayloads(spead, shape);
        assertThat(ring.keySet()).containsExactlyInAnyOrderElementsOf(shape.timestampByCnt().keySet());
        Map<Long, byte[]> chunks = chunkPayloads(spead, shape, placer);
        assertThat(chunks.keySet()).as("every heap present").containsExactlyInAnyOrderElementsOf(ring.keySet());
        for (long cnt : ring.keySet()) {
            assertThat(chunks.get(cnt)).as("payload of heap %d", cnt).isEqualTo(ring.get(cnt));
        }

        // remove one packet (the second of the second data heap, else its first): that heap only is absent
        List<Long> cnts = new ArrayList<>(shape.timestampByCnt().keySet());
        long victim = cnts.get(Math.min(1, cnts.size() - 1));
        List<Integer> victimPackets = new ArrayList<>();
        PacketDecoder d = new PacketDecoder();
        for (int i = 0; i < packets.size(); i++) {
            d.decode(MemorySegment.ofArray(packets.get(i)), 0, packets.get(i).length);
            if (d.heapCnt() == victim) {
                victimPackets.add(i);
            }
        }
        int drop = victimPackets.get(Math.min(1, victimPackets.size() - 1));
        ByteArrayOutputStream lossy = new ByteArrayOutputStream();
        for (int i = 0; i < packets.size(); i++) {
            if (i != drop) {
                lossy.writeBytes(packets.get(i));
            }
        }
        Map<Long, byte[]> lossyChunks = chunkPayloads(lossy.toByteArray(), shape, placer);
        List<Long> expected = new ArrayList<>(ring.keySet());
        expected.remove(victim);
        assertThat(lossyChunks.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (long cnt : expected) {
            assertThat(lossyChunks.get(cnt)).as("payload of heap %d", cnt).isEqualTo(ring.get(cnt));
        }
    }
}
