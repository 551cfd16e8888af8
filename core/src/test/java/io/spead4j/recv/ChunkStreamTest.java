package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.spead4j.recv.ChunkRingStreamTest.HEAPS_PER_CHUNK;
import static io.spead4j.recv.ChunkRingStreamTest.PLACE_PLAIN;
import static io.spead4j.recv.ChunkRingStreamTest.POSITION_ID;
import static io.spead4j.recv.ChunkRingStreamTest.checkChunk;
import static io.spead4j.recv.ChunkRingStreamTest.ones;
import static io.spead4j.recv.ChunkRingStreamTest.range;
import static io.spead4j.recv.ChunkRingStreamTest.sendHeaps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The callback chunk stream (spead2's C++ {@code chunk_stream} with {@code allocate} and {@code ready}): the same
 * placement as the ring stream, chunks asked for and handed over through the callbacks, in id order; holes;
 * custom statistics updated from the callbacks; a throwing callback stops the stream with it as the failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChunkStreamTest {
    private static final ThreadPool pool = TestPools.shared();

    /** Chunks handed out and received, and the ids asked for. */
    private static final class Callbacks {
        final Arena arena = Arena.ofAuto();
        final List<Long> allocated = new CopyOnWriteArrayList<>();
        final List<Chunk> ready = new CopyOnWriteArrayList<>();

        Chunk allocate(long chunkId) {
            allocated.add(chunkId);
            return new Chunk(arena.allocate(HEAPS_PER_CHUNK), arena.allocate(ChunkRingStreamTest.CHUNK_PAYLOAD_SIZE));
        }

        /** A chunk stream that allocates every chunk asked for and collects the ready ones, reading queue. */
        ChunkStream streamReading(InprocQueue queue) {
            ChunkStream stream = new ChunkStream(pool, new StreamConfig(), chunkConfig(),
                    (id, stats) -> allocate(id), (chunk, stats) -> ready.add(chunk));
            stream.addInprocReader(queue);
            return stream;
        }
    }

    private static ChunkStreamConfig chunkConfig() {
        return new ChunkStreamConfig().withItems(POSITION_ID, Spead.HEAP_LENGTH_ID).withMaxChunks(4)
                .withPlace(PLACE_PLAIN);
    }

    private static InprocStream sender(InprocQueue queue) {
        return new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig());
    }

    @Test
    void heapsArePlacedAndChunksHandedOverInIdOrder() throws Exception {
        Callbacks c = new Callbacks();
        InprocQueue queue = new InprocQueue();
        try (ChunkStream stream = c.streamReading(queue); InprocStream sender = sender(queue)) {
            int heaps = 63;
            sendHeaps(sender, range(0, heaps));
            stream.awaitStopped();
            assertThat(c.allocated).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(c.ready).hasSize(7);
            for (int i = 0; i < 7; i++) {
                byte[] expected = ones(HEAPS_PER_CHUNK);
                if (i == 6) {
                    java.util.Arrays.fill(expected, heaps % HEAPS_PER_CHUNK, HEAPS_PER_CHUNK, (byte) 0);
                }
                checkChunk(c.ready.get(i), i, expected, false);
            }
            StreamStats stats = stream.getStats();
            assertThat(stats.heaps()).isEqualTo(heaps + 1);
            assertThat(stats.get("rejected_heaps")).isEqualTo(2); // the non-data heap and the end heap
            assertThat(stats.get("too_old_heaps")).isZero();
            assertThat(stream.failure()).isEmpty();
        }
    }

    @Test
    void aNullChunkLeavesAHoleAndTheOthersAreIntact() throws Exception {
        Callbacks c = new Callbacks();
        InprocQueue queue = new InprocQueue();
        try (ChunkStream stream = new ChunkStream(pool, new StreamConfig(), chunkConfig(),
                (id, stats) -> id == 1 ? null : c.allocate(id), (chunk, stats) -> c.ready.add(chunk));
             InprocStream sender = sender(queue)) {
            stream.addInprocReader(queue);
            sendHeaps(sender, range(0, 30));
            stream.awaitStopped();
            assertThat(c.ready).extracting(Chunk::chunkId).containsExactly(0L, 2L);
            checkChunk(c.ready.get(0), 0, ones(HEAPS_PER_CHUNK), false);
            checkChunk(c.ready.get(1), 2, ones(HEAPS_PER_CHUNK), false);
            assertThat(stream.getStats().heaps()).isEqualTo(31);
        }
    }

    @Test
    void callbacksUpdateCustomStatistics() throws Exception {
        StreamConfig config = new StreamConfig().addStat("chunks_allocated").addStat("chunks_ready");
        int allocatedIndex = config.getStatIndex("chunks_allocated");
        int readyIndex = config.getStatIndex("chunks_ready");
        Callbacks c = new Callbacks();
        InprocQueue queue = new InprocQueue();
        try (ChunkStream stream = new ChunkStream(pool, config, chunkConfig(), (id, stats) -> {
            stats.update(allocatedIndex, 1);
            return c.allocate(id);
        }, (chunk, stats) -> {
            stats.update(readyIndex, 1);
            c.ready.add(chunk);
        }); InprocStream sender = sender(queue)) {
            stream.addInprocReader(queue);
            sendHeaps(sender, range(0, 45));
            stream.awaitStopped();
            assertThat(stream.getStats().get("chunks_allocated")).isEqualTo(5);
            assertThat(stream.getStats().get("chunks_ready")).isEqualTo(5);
        }
    }

    @Test
    void userStopHandsEveryChunkOfTheWindowToReady() throws Exception {
        Callbacks c = new Callbacks();
        InprocQueue queue = new InprocQueue();
        try (ChunkStream stream = c.streamReading(queue); InprocStream sender = sender(queue)) {
            for (int position : range(0, 25)) { // no end heap: the stream runs until stopped
                sender.sendHeap(new Heap().addItem(POSITION_ID, position)
                        .addItem(ChunkRingStreamTest.PAYLOAD_ID, ChunkRingStreamTest.heapPayload(position), false));
            }
            while (stream.getStats().heaps() < 25) {
                Thread.sleep(5);
            }
            assertThat(c.ready).isEmpty(); // 3 chunks fit the window of 4
            stream.stop();
            assertThat(c.ready).extracting(Chunk::chunkId).containsExactly(0L, 1L, 2L);
            byte[] last = new byte[HEAPS_PER_CHUNK];
            java.util.Arrays.fill(last, 0, 5, (byte) 1);
            checkChunk(c.ready.get(2), 2, last, false);
            checkChunk(c.ready.get(0), 0, ones(HEAPS_PER_CHUNK), false);
        }
    }

    @Test
    void aThrowingReadyStopsTheStreamWithItAsTheFailure() throws Exception {
        Callbacks c = new Callbacks();
        List<Long> readied = new ArrayList<>();
        InprocQueue queue = new InprocQueue();
        try (ChunkStream stream = new ChunkStream(pool, new StreamConfig(), chunkConfig(),
                (id, stats) -> c.allocate(id), (chunk, stats) -> {
                    synchronized (readied) {
                        readied.add(chunk.chunkId());
                    }
                    if (chunk.chunkId() == 0) {
                        throw new IllegalStateException("consumer broke");
                    }
                });
             InprocStream sender = sender(queue)) {
            stream.addInprocReader(queue);
            for (int position : range(0, 60)) { // chunk 0 leaves the window when chunk 4 starts
                sender.sendHeap(new Heap().addItem(POSITION_ID, position)
                        .addItem(ChunkRingStreamTest.PAYLOAD_ID, ChunkRingStreamTest.heapPayload(position), false));
            }
            assertThat(stream.awaitStopped(30, TimeUnit.SECONDS)).as("stopped by the failure").isTrue();
            assertThat(stream.failure()).get().isInstanceOf(IllegalStateException.class)
                    .extracting(Throwable::getMessage).isEqualTo("consumer broke");
            synchronized (readied) {
                assertThat(readied).first().isEqualTo(0L);
                assertThat(readied).doesNotHaveDuplicates().isSorted();
            }
        }
    }

    @Test
    void aThrowingAllocateLeavesAHoleAndStopsTheStream() throws Exception {
        Callbacks c = new Callbacks();
        InprocQueue queue = new InprocQueue();
        try (ChunkStream stream = new ChunkStream(pool, new StreamConfig(), chunkConfig(), (id, stats) -> {
            if (id == 0) {
                throw new IllegalArgumentException("no memory");
            }
            return c.allocate(id);
        }, (chunk, stats) -> c.ready.add(chunk)); InprocStream sender = sender(queue)) {
            stream.addInprocReader(queue);
            sender.sendHeap(new Heap().addItem(POSITION_ID, 0)
                    .addItem(ChunkRingStreamTest.PAYLOAD_ID, ChunkRingStreamTest.heapPayload(0), false));
            assertThat(stream.awaitStopped(30, TimeUnit.SECONDS)).as("stopped by the failure").isTrue();
            assertThat(stream.failure()).get().extracting(Throwable::getMessage).isEqualTo("no memory");
            assertThat(c.ready).isEmpty();
        }
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> new ChunkStream(pool, new StreamConfig(), new ChunkStreamConfig(),
                (id, stats) -> null, (chunk, stats) -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no place function");
        assertThatThrownBy(() -> new ChunkStream(pool, new StreamConfig(), chunkConfig(), null,
                (chunk, stats) -> { })).isInstanceOf(NullPointerException.class).hasMessageContaining("allocate");
    }
}
