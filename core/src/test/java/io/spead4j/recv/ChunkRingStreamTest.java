package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjIntConsumer;

import static io.spead4j.recv.TestPackets.packet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chunk ring stream, case by case as spead2's {@code test_recv_chunk_stream.py} checks it
 * (SPEAD2-BEHAVIOUR.md §8): heaps sent by spead4j's own {@link InprocStream}, 1024-byte payloads, 10 heaps a
 * chunk, a window of 4 chunks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChunkRingStreamTest {
    static final int HEAP_PAYLOAD_SIZE = 1024;
    static final int HEAPS_PER_CHUNK = 10;
    static final int CHUNK_PAYLOAD_SIZE = HEAPS_PER_CHUNK * HEAP_PAYLOAD_SIZE;
    static final int PACKETS_PER_HEAP = 2;
    static final int PACKET_SIZE = HEAP_PAYLOAD_SIZE / PACKETS_PER_HEAP;
    static final long POSITION_ID = 0x1000;
    static final long PAYLOAD_ID = 0x1001;
    static final long EXTRA_ID = 0x1002;

    private static final ThreadPool pool = TestPools.shared();

    /** spead2's place_plain: items = [position, HEAP_LENGTH, ...]. */
    static final ChunkPlaceFunction PLACE_PLAIN = d -> {
        long position = d.item(0);
        if (d.item(1) == HEAP_PAYLOAD_SIZE) {
            d.setChunkId(position / HEAPS_PER_CHUNK).setHeapIndex(position % HEAPS_PER_CHUNK)
                    .setHeapOffset(position % HEAPS_PER_CHUNK * HEAP_PAYLOAD_SIZE);
        }
    };

    /** spead2's place_extra: as place_plain, and the extra item (items[2]) as a 64-bit value per heap. */
    static final ChunkPlaceFunction PLACE_EXTRA = d -> {
        PLACE_PLAIN.place(d);
        if (d.chunkId() >= 0) {
            d.extra().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, d.item(2));
            d.setExtraSize(8).setExtraOffset(d.heapIndex() * 8);
        }
    };

    /** Payload of a heap: 4-byte pieces, the position in the first two bytes, a counter in the other two. */
    static byte[] heapPayload(long position) {
        byte[] out = new byte[HEAP_PAYLOAD_SIZE];
        for (int i = 0; i < HEAP_PAYLOAD_SIZE / 4; i++) {
            out[4 * i] = (byte) position;
            out[4 * i + 1] = (byte) (position >> 8);
            out[4 * i + 2] = (byte) i;
            out[4 * i + 3] = (byte) (i >> 8);
        }
        return out;
    }

    static ChunkRingbuffer freeRing(int presentSize, boolean extra) {
        ChunkRingbuffer ring = new ChunkRingbuffer(4);
        Arena arena = Arena.ofAuto();
        while (!ring.isFull()) {
            ring.tryPut(new Chunk(arena.allocate(presentSize), arena.allocate(CHUNK_PAYLOAD_SIZE),
                    extra ? arena.allocate(8L * HEAPS_PER_CHUNK) : null));
        }
        return ring;
    }

    private static ChunkStreamConfig chunkConfig(ChunkPlaceFunction place) {
        return new ChunkStreamConfig().withItems(POSITION_ID, Spead.HEAP_LENGTH_ID, EXTRA_ID).withMaxChunks(4)
                .withMaxHeapExtra(8).withPlace(place);
    }

    /** A stream as in spead2's fixture: maxHeaps 128 (for the packet-too-old case), 4 chunks, inproc. */
    private static ChunkRingStream stream(InprocQueue queue, ChunkPlaceFunction place, long streamId,
                                          ChunkRingbuffer data, ChunkRingbuffer free) {
        ChunkRingStream stream = new ChunkRingStream(pool, new StreamConfig().withMaxHeaps(128).withStreamId(streamId),
                chunkConfig(place), data, free);
        stream.addInprocReader(queue);
        return stream;
    }

    /** Sends a non-data heap, the heaps at the positions, and the end heap. */
    static void sendHeaps(InprocStream sender, Iterable<Integer> positions) throws IOException {
        sender.sendHeap(new Heap().addItem(0x1003, new byte[8], false)); // not a data heap: rejected
        for (int position : positions) {
            sender.sendHeap(new Heap().addItem(POSITION_ID, position).addItem(PAYLOAD_ID, heapPayload(position), false)
                    .addItem(EXTRA_ID, position ^ 0xBEEF));
        }
        sender.sendHeap(new Heap().addEnd());
    }

    static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    static byte[] present(Chunk chunk) {
        return chunk.present().toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] ones(int n) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) 1);
        return out;
    }

    /** Checks a chunk: its id, its presence map, and the payload (and extra) of every present heap. */
    static void checkChunk(Chunk chunk, long chunkId, byte[] expectedPresent, boolean extra) {
        assertThat(chunk.chunkId()).isEqualTo(chunkId);
        assertThat(present(chunk)).containsExactly(expectedPresent);
        for (int i = 0; i < expectedPresent.length; i++) {
            if (expectedPresent[i] != 0) {
                long position = chunkId * HEAPS_PER_CHUNK + i;
                assertThat(chunk.data().asSlice((long) i * HEAP_PAYLOAD_SIZE, HEAP_PAYLOAD_SIZE)
                        .toArray(ValueLayout.JAVA_BYTE)).as("payload of heap %d", position)
                        .containsExactly(heapPayload(position));
                if (extra) {
                    assertThat(chunk.extra().get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i))
                            .isEqualTo(position ^ 0xBEEF);
                }
            }
        }
    }

    private void basic(ChunkPlaceFunction place, boolean extra) throws IOException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        try (ChunkRingStream stream = stream(queue, place, 0, data, freeRing(HEAPS_PER_CHUNK, extra));
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            int heaps = 103;
            sendHeaps(sender, range(0, heaps));
            int seen = 0;
            for (Chunk chunk : data) {
                byte[] expected = ones(HEAPS_PER_CHUNK);
                if (seen == heaps / HEAPS_PER_CHUNK) {
                    java.util.Arrays.fill(expected, heaps % HEAPS_PER_CHUNK, HEAPS_PER_CHUNK, (byte) 0);
                }
                checkChunk(chunk, seen, expected, extra);
                seen++;
                stream.addFreeChunk(chunk);
            }
            assertThat(seen).isEqualTo(heaps / HEAPS_PER_CHUNK + 1);
            StreamStats stats = stream.getStats();
            assertThat(stats.get("rejected_heaps")).isEqualTo(2); // the non-data heap and the end heap
            assertThat(stats.get("too_old_heaps")).isZero();
            assertThat(stats.heaps()).isEqualTo(heaps + 1);
        }
    }

    @Test
    void basicPlacement() throws IOException {
        basic(PLACE_PLAIN, false);
    }

    @Test
    void extraDataIsCopiedPerHeap() throws IOException {
        basic(PLACE_EXTRA, true);
    }

    @Test
    void statisticsAreTheUsersThenTooOldAndRejected() {
        StreamConfig config = new StreamConfig().addStat("mine");
        try (ChunkRingStream stream = new ChunkRingStream(pool, config, chunkConfig(PLACE_PLAIN),
                new ChunkRingbuffer(1), new ChunkRingbuffer(1))) {
            List<String> names = stream.getStats().config().stream().map(StreamStatConfig::name).toList();
            assertThat(names.subList(StreamConfig.STAT_CUSTOM, names.size()))
                    .containsExactly("mine", "too_old_heaps", "rejected_heaps");
            assertThat(stream.config().allowUnsizedHeaps()).isFalse();
        }
    }

    /**
     * Sends the heaps at the positions to a plain-placed stream, checks every chunk that comes out (with its
     * index in the order they came) and gives it back to the stream; returns how many came.
     */
    private static int receivePlainChunks(List<Integer> positions, ObjIntConsumer<Chunk> check) throws IOException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        try (ChunkRingStream stream = stream(queue, PLACE_PLAIN, 0, data, freeRing(HEAPS_PER_CHUNK, false));
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            sendHeaps(sender, positions);
            int seen = 0;
            for (Chunk chunk : data) {
                check.accept(chunk, seen);
                seen++;
                stream.addFreeChunk(chunk);
            }
            return seen;
        }
    }

    @Test
    void outOfOrderHeapsInsideTheWindow() throws IOException {
        List<Integer> positions = List.of(37, 7, 27, 47, 17, 87, 57, 77, 67);
        byte[] expected = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
        int seen = receivePlainChunks(positions, (chunk, index) -> checkChunk(chunk, index, expected, false));
        assertThat(seen).isEqualTo(positions.size());
    }

    @Test
    void aJumpFarAheadReadiesTheWholeWindow() throws IOException {
        List<Integer> positions = List.of(100, 200);
        long[] expectedChunks = {7, 8, 9, 10, 17, 18, 19, 20};
        int seen = receivePlainChunks(positions, (chunk, index) -> {
            byte[] expected = new byte[HEAPS_PER_CHUNK];
            if (positions.contains((int) (expectedChunks[index] * HEAPS_PER_CHUNK))) {
                expected[0] = 1;
            }
            checkChunk(chunk, expectedChunks[index], expected, false);
        });
        assertThat(seen).isEqualTo(expectedChunks.length);
    }

    @Test
    void aHeapTooOldIsCounted() throws IOException, InterruptedException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        try (ChunkRingStream stream = stream(queue, PLACE_PLAIN, 0, data, freeRing(HEAPS_PER_CHUNK, false));
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            List<Integer> positions = new ArrayList<>(range(10, 41));
            positions.add(0); // just too late: chunk 0 has left the window
            positions.addAll(range(41, 50));
            sendHeaps(sender, positions);
            int seen = 0;
            for (Chunk chunk : data) {
                checkChunk(chunk, seen, seen == 0 ? new byte[HEAPS_PER_CHUNK] : ones(HEAPS_PER_CHUNK), false);
                seen++;
                stream.addFreeChunk(chunk);
            }
            assertThat(seen).isEqualTo(5); // chunk 0 once, empty
            stream.awaitStopped();
            assertThat(stream.getStats().get("too_old_heaps")).isEqualTo(1);
            assertThat(stream.getStats().get("rejected_heaps")).isEqualTo(2);
        }
    }

    /** One packet of a heap (SPEAD-64-48, as spead2's test builds it): bytes [start, end) of its payload. */
    static byte[] heapPacket(long position, int start, int end) {
        byte[] payload = java.util.Arrays.copyOfRange(heapPayload(position), start, end);
        return packet(48, position).heapLength(HEAP_PAYLOAD_SIZE).offset(start).immediate(POSITION_ID, position)
                .address(PAYLOAD_ID, 0).payload(payload).build();
    }

    @Test
    void packetsOfAHeapWhoseChunkLeftAreTooOld() throws InterruptedException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        try (ChunkRingStream stream = stream(queue, PLACE_PLAIN, 0, data, freeRing(HEAPS_PER_CHUNK, false))) {
            queue.addPacket(heapPacket(0, 0, 100)); // start a heap
            for (int position = 40; position < 50; position++) { // age its chunk out
                queue.addPacket(heapPacket(position, 0, HEAP_PAYLOAD_SIZE));
            }
            queue.addPacket(heapPacket(0, 100, HEAP_PAYLOAD_SIZE)); // finish the heap
            for (int position = 50; position < 60; position++) {
                queue.addPacket(heapPacket(position, 0, HEAP_PAYLOAD_SIZE));
            }
            queue.stop();
            int seen = 0;
            for (Chunk chunk : data) {
                checkChunk(chunk, seen, seen >= 4 ? ones(HEAPS_PER_CHUNK) : new byte[HEAPS_PER_CHUNK], false);
                seen++;
                stream.addFreeChunk(chunk);
            }
            assertThat(seen).isEqualTo(6);
            stream.awaitStopped();
            assertThat(stream.getStats().get("too_old_heaps")).isEqualTo(1);
        }
    }

    @Test
    void aSharedDataRingKeyedByStreamId() throws IOException {
        InprocQueue queue0 = new InprocQueue();
        InprocQueue queue1 = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        ChunkRingbuffer free = freeRing(HEAPS_PER_CHUNK, false);
        try (ChunkRingStream stream0 = stream(queue0, PLACE_PLAIN, 0, data, free);
             ChunkRingStream stream1 = stream(queue1, PLACE_PLAIN, 1, data, free);
             InprocStream sender0 = new InprocStream(pool, List.of(queue0), new io.spead4j.send.StreamConfig());
             InprocStream sender1 = new InprocStream(pool, List.of(queue1), new io.spead4j.send.StreamConfig())) {
            int[] heaps = {17, 23};
            sendHeaps(sender0, range(0, heaps[0]));
            sendHeaps(sender1, range(0, heaps[1]));
            int[] seen = new int[2];
            for (Chunk chunk : data) {
                int id = (int) chunk.streamId();
                assertThat(id).isBetween(0, 1);
                byte[] expected = ones(HEAPS_PER_CHUNK);
                if (chunk.chunkId() == heaps[id] / HEAPS_PER_CHUNK) {
                    java.util.Arrays.fill(expected, heaps[id] % HEAPS_PER_CHUNK, HEAPS_PER_CHUNK, (byte) 0);
                }
                checkChunk(chunk, seen[id], expected, false);
                seen[id]++;
                stream0.addFreeChunk(chunk);
            }
            assertThat(seen[0]).isEqualTo(heaps[0] / HEAPS_PER_CHUNK + 1);
            assertThat(seen[1]).isEqualTo(heaps[1] / HEAPS_PER_CHUNK + 1);
            assertThat(stream1.getStats().heaps()).isEqualTo(heaps[1] + 1);
        }
    }

    @Test
    void aPlaceFunctionIsRequired() {
        assertThatThrownBy(() -> new ChunkRingStream(pool, new StreamConfig(),
                new ChunkStreamConfig().withItems(POSITION_ID, Spead.HEAP_LENGTH_ID), new ChunkRingbuffer(1),
                new ChunkRingbuffer(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("place function");
    }

    @Test
    void packetPresenceMarksEachPacket() throws InterruptedException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        ChunkRingbuffer free = freeRing(HEAPS_PER_CHUNK * PACKETS_PER_HEAP, false);
        StreamConfig config = new StreamConfig().withMaxHeaps(128).withAllowOutOfOrder(true);
        int placedHeaps = config.nextStatIndex();
        config = config.addStat("placed_heaps");
        ChunkPlaceFunction placeBind = d -> { // spead2's place_bind with scale = PACKETS_PER_HEAP
            long position = d.item(0);
            if (d.item(1) == HEAP_PAYLOAD_SIZE && d.item(2) == PACKET_SIZE) {
                long heapIndex = position % HEAPS_PER_CHUNK;
                d.setChunkId(position / HEAPS_PER_CHUNK).setHeapIndex(heapIndex * PACKETS_PER_HEAP)
                        .setHeapOffset(heapIndex * HEAP_PAYLOAD_SIZE);
                d.updateBatchStat(placedHeaps, 1);
            }
        };
        try (ChunkRingStream stream = new ChunkRingStream(pool, config, new ChunkStreamConfig()
                .withItems(POSITION_ID, Spead.HEAP_LENGTH_ID, Spead.PAYLOAD_LENGTH_ID).withMaxChunks(4)
                .withPlace(placeBind).enablePacketPresence(PACKET_SIZE), data, free)) {
            stream.addInprocReader(queue);
            queue.addPacket(heapPacket(4, 0, PACKET_SIZE));
            queue.addPacket(heapPacket(4, PACKET_SIZE, 2 * PACKET_SIZE));
            queue.addPacket(heapPacket(17, PACKET_SIZE, 2 * PACKET_SIZE));
            queue.stop();
            List<Chunk> chunks = new ArrayList<>();
            data.forEach(chunks::add);
            assertThat(chunks).hasSize(2);
            byte[] expected0 = new byte[HEAPS_PER_CHUNK * PACKETS_PER_HEAP];
            expected0[8] = 1;
            expected0[9] = 1;
            byte[] expected1 = new byte[HEAPS_PER_CHUNK * PACKETS_PER_HEAP];
            expected1[15] = 1;
            checkPackets(chunks.get(0), 0, expected0);
            checkPackets(chunks.get(1), 1, expected1);
            stream.awaitStopped();
            assertThat(stream.getStats().get("placed_heaps")).isEqualTo(2);
        }
    }

    private static void checkPackets(Chunk chunk, long chunkId, byte[] expected) {
        assertThat(chunk.chunkId()).isEqualTo(chunkId);
        assertThat(present(chunk)).containsExactly(expected);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != 0) {
                long position = chunkId * HEAPS_PER_CHUNK + i / PACKETS_PER_HEAP;
                int start = i % PACKETS_PER_HEAP * PACKET_SIZE;
                assertThat(chunk.data().asSlice((long) i * PACKET_SIZE, PACKET_SIZE).toArray(ValueLayout.JAVA_BYTE))
                        .containsExactly(java.util.Arrays.copyOfRange(heapPayload(position), start, start + PACKET_SIZE));
            }
        }
    }

    @Test
    void aPlacementOutsideTheChunkIsRejectedNotACrash() throws IOException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        ChunkPlaceFunction outside = d -> {
            PLACE_PLAIN.place(d);
            if (d.item(0) == 3) {
                d.setHeapOffset(CHUNK_PAYLOAD_SIZE - 10); // payload would run past the chunk's data
            } else if (d.item(0) == 4) {
                d.setHeapIndex(HEAPS_PER_CHUNK); // past the presence map
            } else if (d.item(0) == 5) {
                d.setExtraSize(9); // more than maxHeapExtra
            } else if (d.item(0) == 6) {
                throw new IllegalStateException("a bug in the place function");
            }
        };
        try (ChunkRingStream stream = stream(queue, outside, 0, data, freeRing(HEAPS_PER_CHUNK, false));
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            sendHeaps(sender, range(0, 10));
            List<Chunk> chunks = new ArrayList<>();
            data.forEach(chunks::add);
            assertThat(chunks).hasSize(1);
            checkChunk(chunks.getFirst(), 0, new byte[] {1, 1, 1, 0, 0, 0, 0, 1, 1, 1}, false);
            assertThat(stream.getStats().get("rejected_heaps")).isEqualTo(2 + 4);
        }
    }

    @Test
    void aUserStopUnblocksAStreamWaitingForFreeChunksAndEndsTheDataRing() throws IOException, InterruptedException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        ChunkRingbuffer free = new ChunkRingbuffer(4); // no chunks: the stream waits for one
        try (ChunkRingStream stream = stream(queue, PLACE_PLAIN, 0, data, free);
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            sender.sendHeap(new Heap().addItem(POSITION_ID, 0).addItem(PAYLOAD_ID, heapPayload(0), false));
            while (stream.getStats().packets() == 0 && queue.size() > 0) {
                Thread.sleep(1); // until the worker has taken the packet (it then waits for a chunk)
            }
            stream.stop();
            assertThat(stream.isStopped()).isTrue();
            assertThatThrownBy(data::get).isInstanceOf(StoppedException.class);
            assertThat(free.isStopped()).isTrue();
        }
    }

    @Test
    void freeChunksWithPresenceClearedAreReused() throws IOException {
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        ChunkRingbuffer free = new ChunkRingbuffer(4);
        Arena arena = Arena.ofAuto();
        Chunk only = new Chunk(arena.allocate(HEAPS_PER_CHUNK), arena.allocate(CHUNK_PAYLOAD_SIZE));
        MemorySegment dirty = only.present();
        dirty.fill((byte) 1);
        try (ChunkRingStream stream = new ChunkRingStream(pool, new StreamConfig(),
                chunkConfig(PLACE_PLAIN).withMaxChunks(1), data, free);
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            stream.addFreeChunk(only);
            stream.addInprocReader(queue);
            sendHeaps(sender, List.of(1, 12, 23));
            long expectedId = 0;
            for (Chunk chunk : data) {
                assertThat(chunk).isSameAs(only);
                byte[] expected = new byte[HEAPS_PER_CHUNK];
                expected[(int) expectedId + 1] = 1;
                checkChunk(chunk, expectedId, expected, false);
                expectedId++;
                stream.addFreeChunk(chunk);
            }
            assertThat(expectedId).isEqualTo(3);
        }
    }

    @Test
    void aReusedLiveHeapStartsClean() throws InterruptedException {
        // maxHeaps 1, out of order: every new heap evicts the previous one, whose live heap the next heap reuses
        InprocQueue queue = new InprocQueue();
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        try (ChunkRingStream stream = new ChunkRingStream(pool,
                new StreamConfig().withMaxHeaps(1).withAllowOutOfOrder(true), chunkConfig(PLACE_PLAIN), data,
                freeRing(HEAPS_PER_CHUNK, false))) {
            stream.addInprocReader(queue);
            queue.addPacket(heapPacket(1, PACKET_SIZE, HEAP_PAYLOAD_SIZE)); // heap 1: second half only
            queue.addPacket(heapPacket(2, 0, PACKET_SIZE)); // evicts heap 1, reuses its live heap
            queue.addPacket(heapPacket(2, PACKET_SIZE, HEAP_PAYLOAD_SIZE)); // the range heap 1 had: not a duplicate
            queue.addPacket(heapPacket(3, PACKET_SIZE, HEAP_PAYLOAD_SIZE));
            queue.addPacket(heapPacket(3, 0, PACKET_SIZE));
            queue.stop();
            List<Chunk> chunks = new ArrayList<>();
            data.forEach(chunks::add);
            assertThat(chunks).hasSize(1);
            checkChunk(chunks.getFirst(), 0, new byte[] {0, 0, 1, 1, 0, 0, 0, 0, 0, 0}, false);
            stream.awaitStopped();
            assertThat(stream.getStats().heaps()).isEqualTo(3);
            assertThat(stream.getStats().incompleteHeapsEvicted()).isEqualTo(1);
        }
    }
}
