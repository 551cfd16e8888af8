package io.spead4j.recv;

import io.spead4j.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * A chunk stream that takes empty chunks from a free ring and delivers full ones through a data ring,
 * spead2's {@code ChunkRingStream} (SPEAD2-BEHAVIOUR.md §8). Each heap's payload is placed straight into a
 * chunk by the place function of its {@link ChunkStreamConfig}; a chunk is delivered when it leaves the
 * window of {@code maxChunks} chunks (a heap for a later chunk arrives, or the stream stops), with its
 * presence map saying which heaps (or packets) arrived complete.
 *
 * <pre>{@code
 * ChunkRingbuffer data = new ChunkRingbuffer(4), free = new ChunkRingbuffer(4);
 * try (ChunkRingStream stream = new ChunkRingStream(pool, new StreamConfig(), chunkConfig, data, free)) {
 *     for (int i = 0; i < 4; i++) stream.addFreeChunk(placer.newChunk(arena));
 *     stream.addUdpReader(7148, 9200, 0, "");
 *     for (Chunk chunk : data) { ... use chunk.present(), chunk.data() ...; stream.addFreeChunk(chunk); }
 * }
 * }</pre>
 *
 * <p>When the free ring is empty the stream waits for a chunk (packets wait too; UDP then loses in the
 * kernel); when the data ring is full it waits for room. The stream is one producer of the data ring
 * (several streams may share one data ring, and {@link Chunk#streamId()} tells their chunks apart): a stop
 * from the data (stop item, end of a source) delivers the remaining chunks and leaves the ring, which stops
 * when its last producer has left. A user {@link #stop()} stops both rings first, so chunks still in the
 * window are dropped; chunks already in the data ring stay retrievable. Heaps and chunks are counted in
 * {@link #getStats()}, with {@code too_old_heaps} and {@code rejected_heaps}.
 */
public final class ChunkRingStream extends ChunkStreamBase implements ChunkRingPair {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkRingStream.class);

    private final ChunkRingbuffer dataRing;
    private final ChunkRingbuffer freeRing;

    /**
     * Creates the stream and registers it as a producer of the data ring.
     *
     * @param threadPool the pool the readers run on
     * @param config the stream configuration (unsized heaps are refused whatever it says)
     * @param chunkConfig the chunk configuration; it must have a place function
     * @param dataRing where full chunks go
     * @param freeRing where empty chunks come from
     * @throws IllegalArgumentException if {@code chunkConfig} has no place function, or {@code config} already
     *     has a statistic called {@code too_old_heaps} or {@code rejected_heaps}
     */
    public ChunkRingStream(ThreadPool threadPool, StreamConfig config, ChunkStreamConfig chunkConfig,
                           ChunkRingbuffer dataRing, ChunkRingbuffer freeRing) {
        super(threadPool, config, chunkConfig);
        this.dataRing = Objects.requireNonNull(dataRing, "dataRing");
        this.freeRing = Objects.requireNonNull(freeRing, "freeRing");
        dataRing.addProducer();
    }

    @Override
    public ChunkRingbuffer dataRingbuffer() {
        return dataRing;
    }

    @Override
    public ChunkRingbuffer freeRingbuffer() {
        return freeRing;
    }

    @Override
    Chunk allocateChunk(long chunkId) {
        return freeRing.getUninterruptibly();
    }

    @Override
    void readyChunk(Chunk chunk) {
        putReadyChunk(dataRing, chunk, LOG);
    }

    /**
     * Puts a chunk the window has readied on a data ring, waiting for room without being interruptible; if the
     * ring has been stopped from outside, the chunk is dropped and that is logged at debug to {@code log}. Shared
     * with {@link ChunkStreamRingGroup}.
     */
    static void putReadyChunk(ChunkRingbuffer dataRing, Chunk chunk, Logger log) {
        try {
            dataRing.putUninterruptibly(chunk);
        } catch (StoppedException e) {
            log.debug("dropped chunk {} due to external stop", chunk.chunkId());
        }
    }

    @Override
    void headUpdated(long head) {
        // nothing waits on a lone stream's head
    }

    @Override
    void beforeUserStop() {
        freeRing.stop();
        dataRing.stop();
    }

    @Override
    void chunkStreamStopped() {
        dataRing.removeProducer();
    }

    @Override
    public String toString() {
        return "ChunkRingStream(" + config() + ", " + chunkConfig() + ")";
    }
}
