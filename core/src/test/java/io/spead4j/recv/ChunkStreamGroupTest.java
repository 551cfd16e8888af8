package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static io.spead4j.recv.ChunkRingStreamTest.CHUNK_PAYLOAD_SIZE;
import static io.spead4j.recv.ChunkRingStreamTest.HEAPS_PER_CHUNK;
import static io.spead4j.recv.ChunkRingStreamTest.HEAP_PAYLOAD_SIZE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chunk stream groups as spead2's {@code test_recv_chunk_stream_group.py} checks them (SPEAD2-BEHAVIOUR.md
 * §8): four member streams fed by one {@link InprocStream} through four queues (heap i to queue i mod 4),
 * a group window of 4 chunks, 10 heaps of 1024 bytes a chunk. Each member has a thread pool of its own, as
 * spead2 advises: a LOSSLESS member waits for the others on its reader's thread, and an in-process reader
 * shares its pool's event loop with the other readers of that loop.
 *
 * <p>LOSSY mode is timing-dependent by nature (a member that races ahead makes the others give up chunks);
 * spead2's test sleeps between heaps. Here, in LOSSY mode each heap is sent only once the member before it
 * has processed its packet (its {@code packets} statistic), so the outcome does not depend on timing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChunkStreamGroupTest {
    private static final int STREAMS = 4;
    private static final int CHUNKS = 20;
    private static final ThreadPool pool = TestPools.shared();

    /** A group with its members, queues and sender. */
    private static final class Fixture implements AutoCloseable {
        final ChunkStreamRingGroup group;
        final List<InprocQueue> queues = new ArrayList<>();
        final InprocStream sender;
        final byte[] data;
        /** A pool of one thread per member (spead2's advice): a LOSSLESS member waits on its reader's thread. */
        final List<ThreadPool> memberPools = new ArrayList<>();

        Fixture(ChunkStreamGroupConfig.EvictionMode mode, long chunkIdBias) {
            ChunkRingbuffer free = new ChunkRingbuffer(4);
            Arena arena = Arena.ofAuto();
            while (!free.isFull()) {
                free.tryPut(new Chunk(arena.allocate(HEAPS_PER_CHUNK), arena.allocate(CHUNK_PAYLOAD_SIZE)));
            }
            group = new ChunkStreamRingGroup(new ChunkStreamGroupConfig(4, mode), new ChunkRingbuffer(4), free);
            ChunkPlaceFunction placeBias = d -> { // spead2's place_bias
                long position = d.item(0);
                if (d.item(1) == HEAP_PAYLOAD_SIZE) {
                    d.setChunkId(position / HEAPS_PER_CHUNK + chunkIdBias).setHeapIndex(position % HEAPS_PER_CHUNK)
                            .setHeapOffset(position % HEAPS_PER_CHUNK * HEAP_PAYLOAD_SIZE);
                }
            };
            ChunkStreamConfig chunkConfig = new ChunkStreamConfig().withItems(0x1000, Spead.HEAP_LENGTH_ID)
                    .withMaxChunks(4).withPlace(placeBias);
            for (int i = 0; i < STREAMS; i++) {
                ThreadPool memberPool = new ThreadPool(1);
                memberPools.add(memberPool);
                group.emplaceBack(memberPool, new StreamConfig().withMaxHeaps(128), chunkConfig);
            }
            for (ChunkStreamGroupMember member : group) {
                InprocQueue queue = new InprocQueue();
                queues.add(queue);
                member.addInprocReader(queue);
            }
            sender = new InprocStream(pool, queues, new io.spead4j.send.StreamConfig());
            data = new byte[CHUNKS * CHUNK_PAYLOAD_SIZE];
            new Random(1).nextBytes(data);
        }

        /** Sends heap i to member i mod 4; in LOSSY mode waits until that member has processed it. */
        void send(List<Integer> heaps, boolean paced) throws IOException, InterruptedException {
            long[] sent = new long[STREAMS];
            for (int i : heaps) {
                Heap heap = new Heap().addItem(0x1000, i)
                        .addItem(0x1001, Arrays.copyOfRange(data, i * HEAP_PAYLOAD_SIZE, (i + 1) * HEAP_PAYLOAD_SIZE),
                                false);
                int member = i % STREAMS;
                sender.sendHeap(heap, -1, member);
                sent[member]++;
                if (paced) {
                    while (group.get(member).getStats().packets() < sent[member]) {
                        Thread.sleep(0, 100_000);
                    }
                }
            }
        }

        void stopQueues() {
            queues.forEach(InprocQueue::stop);
        }

        /** Checks the chunks that have a heap present, in order (empty padding chunks are skipped). */
        void verify(byte[] expectedPresent, long chunkIdBias) throws InterruptedException {
            for (int i = 0; i < CHUNKS; i++) {
                byte[] expected = Arrays.copyOfRange(expectedPresent, i * HEAPS_PER_CHUNK, (i + 1) * HEAPS_PER_CHUNK);
                if (Arrays.equals(expected, new byte[HEAPS_PER_CHUNK])) {
                    continue;
                }
                Chunk chunk = nextRealChunk();
                assertThat(chunk.chunkId()).isEqualTo(i + chunkIdBias);
                assertThat(chunk.present().toArray(ValueLayout.JAVA_BYTE)).as("presence of chunk %d", i)
                        .containsExactly(expected);
                for (int j = 0; j < HEAPS_PER_CHUNK; j++) {
                    if (expected[j] != 0) {
                        int heap = i * HEAPS_PER_CHUNK + j;
                        assertThat(chunk.data().asSlice((long) j * HEAP_PAYLOAD_SIZE, HEAP_PAYLOAD_SIZE)
                                .toArray(ValueLayout.JAVA_BYTE)).as("payload of heap %d", heap)
                                .containsExactly(Arrays.copyOfRange(data, heap * HEAP_PAYLOAD_SIZE,
                                        (heap + 1) * HEAP_PAYLOAD_SIZE));
                    }
                }
                group.addFreeChunk(chunk);
            }
            // every member stopped from its data: the data ring stops after the last chunk
            while (true) {
                Chunk extra = group.dataRingbuffer().get();
                assertThat(extra.present().toArray(ValueLayout.JAVA_BYTE)).as("a chunk after the last expected one")
                        .containsOnly(0);
                group.addFreeChunk(extra);
            }
        }

        private Chunk nextRealChunk() throws InterruptedException {
            while (true) {
                Chunk chunk = group.dataRingbuffer().get();
                for (byte b : chunk.present().toArray(ValueLayout.JAVA_BYTE)) {
                    if (b != 0) {
                        return chunk;
                    }
                }
                group.addFreeChunk(chunk);
            }
        }

        @Override
        public void close() {
            group.stop();
            sender.close();
            memberPools.forEach(ThreadPool::close);
        }
    }

    private static List<Integer> heaps(IntPredicate keep) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < CHUNKS * HEAPS_PER_CHUNK; i++) {
            if (keep.test(i)) {
                out.add(i);
            }
        }
        return out;
    }

    /** Sends the heaps on another thread, stops the queues, and checks that exactly those heaps arrive. */
    private static void simple(ChunkStreamGroupConfig.EvictionMode mode, List<Integer> heaps, long bias)
            throws Exception {
        try (Fixture f = new Fixture(mode, bias)) {
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    f.send(heaps, mode == ChunkStreamGroupConfig.EvictionMode.LOSSY);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    f.stopQueues();
                }
            });
            byte[] expected = new byte[CHUNKS * HEAPS_PER_CHUNK];
            heaps.forEach(i -> expected[i] = 1);
            assertThatThrownBy(() -> f.verify(expected, bias)).isInstanceOf(StoppedException.class);
            sender.join();
        }
    }

    @ParameterizedTest
    @EnumSource(ChunkStreamGroupConfig.EvictionMode.class)
    void fullInOrder(ChunkStreamGroupConfig.EvictionMode mode) throws Exception {
        simple(mode, heaps(i -> true), 0);
    }

    @ParameterizedTest
    @EnumSource(ChunkStreamGroupConfig.EvictionMode.class)
    void aSilentMember(ChunkStreamGroupConfig.EvictionMode mode) throws Exception {
        simple(mode, heaps(i -> i % STREAMS != 2), 0);
    }

    @ParameterizedTest
    @EnumSource(ChunkStreamGroupConfig.EvictionMode.class)
    void aMemberFallingSilentHalfWay(ChunkStreamGroupConfig.EvictionMode mode) throws Exception {
        simple(mode, heaps(i -> i < 7 * HEAPS_PER_CHUNK || i % STREAMS != 2), 0);
    }

    @ParameterizedTest
    @EnumSource(ChunkStreamGroupConfig.EvictionMode.class)
    void missingChunks(ChunkStreamGroupConfig.EvictionMode mode) throws Exception {
        List<Integer> skip = List.of(1, 6, 7, 13, 14, 15, 16, 17, 18);
        simple(mode, heaps(i -> !skip.contains(i / HEAPS_PER_CHUNK)), 0);
    }

    @ParameterizedTest
    @EnumSource(ChunkStreamGroupConfig.EvictionMode.class)
    void chunkIdsUpTo2To63Minus1(ChunkStreamGroupConfig.EvictionMode mode) throws Exception {
        simple(mode, heaps(i -> true), Long.MAX_VALUE - CHUNKS + 1);
    }

    @Test
    void losslessWaitsForALateMember() throws Exception {
        try (Fixture f = new Fixture(ChunkStreamGroupConfig.EvictionMode.LOSSLESS, 0)) {
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    f.send(heaps(i -> i % STREAMS != 2), false);
                    // the others now wait for member 2 (they cannot get past the group's window)
                    f.send(heaps(i -> i % STREAMS == 2), false);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    f.stopQueues();
                }
            });
            byte[] expected = new byte[CHUNKS * HEAPS_PER_CHUNK];
            Arrays.fill(expected, (byte) 1);
            assertThatThrownBy(() -> f.verify(expected, 0)).isInstanceOf(StoppedException.class);
            sender.join();
        }
    }

    @Test
    void lossyGivesUpTheChunksOfALateMember() throws Exception {
        try (Fixture f = new Fixture(ChunkStreamGroupConfig.EvictionMode.LOSSY, 0)) {
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    f.send(heaps(i -> i % STREAMS != 2), true); // member 2 silent: its chunks are given up
                    f.send(heaps(i -> i % STREAMS == 2), true); // too late but for the last 4 chunks
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    f.stopQueues();
                }
            });
            byte[] expected = new byte[CHUNKS * HEAPS_PER_CHUNK];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (byte) (i % STREAMS != 2 || i >= (CHUNKS - 4) * HEAPS_PER_CHUNK ? 1 : 0);
            }
            assertThatThrownBy(() -> f.verify(expected, 0)).isInstanceOf(StoppedException.class);
            sender.join();
            assertThat(f.group.get(2).getStats().get("too_old_heaps")).isEqualTo((CHUNKS - 4) * HEAPS_PER_CHUNK / 4);
        }
    }

    @ParameterizedTest
    @EnumSource(ChunkStreamGroupConfig.EvictionMode.class)
    void stopUnblocksEveryMember(ChunkStreamGroupConfig.EvictionMode mode) throws Exception {
        try (Fixture f = new Fixture(mode, 0)) {
            int n = CHUNKS * HEAPS_PER_CHUNK;
            f.send(heaps(i -> i < n / 2 || i % STREAMS != 2), false); // jam things up; queues not stopped
            f.group.stop();
            int seen = 0;
            for (Chunk ignored : f.group.dataRingbuffer()) {
                seen++;
            }
            assertThat(seen).isLessThanOrEqualTo(CHUNKS);
            for (ChunkStreamGroupMember member : f.group) {
                assertThat(member.isStopped()).isTrue();
            }
        }
    }

    @Test
    void aMemberStopStopsTheGroup() {
        try (Fixture f = new Fixture(ChunkStreamGroupConfig.EvictionMode.LOSSY, 0)) {
            f.group.get(1).stop();
            for (ChunkStreamGroupMember member : f.group) {
                assertThat(member.isStopped()).isTrue();
            }
            assertThat(f.group.dataRingbuffer().isStopped()).isTrue();
        }
    }

    @Test
    void groupSequenceAndValidation() {
        ChunkStreamRingGroup group = new ChunkStreamRingGroup(new ChunkStreamGroupConfig(),
                new ChunkRingbuffer(4), new ChunkRingbuffer(4));
        ChunkStreamConfig config = new ChunkStreamConfig().withPlace(ChunkRingStreamTest.PLACE_PLAIN)
                .withItems(0x1000, Spead.HEAP_LENGTH_ID);
        List<ChunkStreamGroupMember> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(group.emplaceBack(pool, new StreamConfig(), config));
        }
        assertThat(group.size()).isEqualTo(3);
        assertThat(group.streams()).containsExactlyElementsOf(members);
        assertThat(group.get(1)).isSameAs(members.get(1));
        assertThat(members.get(2).groupIndex()).isEqualTo(2);
        assertThat(members.get(2).group()).isSameAs(group);
        assertThatThrownBy(() -> group.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> group.emplaceBack(pool, new StreamConfig(), config.withMaxChunks(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxChunks");
        group.stop();
    }
}
