package io.spead4j.recv;

import io.spead4j.ThreadPool;

import java.util.Objects;

/**
 * A chunk stream whose chunks come from and go to user callbacks instead of rings, spead2's C++
 * {@code chunk_stream} with the {@code allocate} and {@code ready} functions of its chunk configuration
 * (SPEAD2-BEHAVIOUR.md §8). The packet path is the one of {@link ChunkRingStream}: the place function of the
 * {@link ChunkStreamConfig} puts each heap's payload into a chunk of the window of {@code maxChunks} chunk ids.
 * When a new chunk id enters the window, {@link Allocate#allocate} is asked for its chunk (return null to leave
 * a hole: heaps for that id are then dropped); when a chunk leaves the window (a heap for a later chunk
 * arrived, or the stream stopped), {@link Ready#ready} receives it, with its presence map saying which heaps
 * (or packets) arrived complete. Stopping (stop item, end of data or {@link #stop()}) hands every chunk still
 * in the window to {@code ready}, oldest first, before {@link #awaitStopped()} returns (custom statistics the
 * callbacks update meanwhile are counted too).
 *
 * <pre>{@code
 * ChunkStream stream = new ChunkStream(pool, new StreamConfig(), placer.configure(new ChunkStreamConfig()),
 *         (chunkId, stats) -> freeChunks.poll(),                   // null if none: a hole
 *         (chunk, stats) -> { process(chunk); chunk.clearPresent(); freeChunks.add(chunk); });
 * stream.addUdpReader(7148);
 * }</pre>
 *
 * <p>Both callbacks run on a reader's thread under the stream's lock, so they see chunks one at a time and in
 * id order; they may block (the stream then waits, and UDP loses in the kernel), and must not call the
 * stream's own methods. A callback that throws does not kill the reader: the exception becomes the stream's
 * {@link #failure()} (later ones are logged), the stream is stopped from another thread, a failed
 * {@code allocate} leaves a hole and a chunk whose {@code ready} threw is not handed over again. Heaps and
 * chunks are counted in {@link #getStats()}, with {@code too_old_heaps} and {@code rejected_heaps}.
 */
public final class ChunkStream extends ChunkStreamBase {
    /** Supplies the chunk for a chunk id entering the window, spead2's {@code chunk_allocate_function}. */
    @FunctionalInterface
    public interface Allocate {
        /**
         * Returns the chunk that will hold chunk {@code chunkId}.
         *
         * @param chunkId the id (the stream sets {@link Chunk#chunkId()} and {@link Chunk#streamId()})
         * @param stats the custom statistics of the current batch
         * @return a chunk not in use by any stream, or null to drop the heaps of that id
         */
        Chunk allocate(long chunkId, BatchStats stats);
    }

    /** Takes a chunk leaving the window, spead2's {@code chunk_ready_function}. */
    @FunctionalInterface
    public interface Ready {
        /**
         * Receives a finished chunk; it is the callee's from now on (the stream never touches it again).
         *
         * @param chunk the chunk, its presence map filled
         * @param stats the custom statistics of the current batch
         */
        void ready(Chunk chunk, BatchStats stats);
    }

    /** The custom statistics of the batch a callback runs in, spead2's {@code batch_stats} pointer. */
    @FunctionalInterface
    public interface BatchStats {
        /**
         * Combines a value into a custom statistic ({@link StreamConfig#addStat}) of the current batch.
         *
         * @param statIndex the statistic's index ({@link StreamConfig#getStatIndex})
         * @param value value to add (COUNTER) or to compare (MAXIMUM)
         * @throws IllegalArgumentException if {@code statIndex} is not a custom statistic
         */
        void update(int statIndex, long value);
    }

    private final Allocate allocate;
    private final Ready ready;
    private final BatchStats stats = this::updateBatchStat;
    private boolean stopRequested;

    /**
     * Creates the stream.
     *
     * @param threadPool the pool the readers run on
     * @param config the stream configuration (unsized heaps are refused whatever it says)
     * @param chunkConfig the chunk configuration; it must have a place function
     * @param allocate supplies chunks
     * @param ready takes finished chunks
     * @throws IllegalArgumentException if {@code chunkConfig} has no place function, or {@code config} already
     *     has a statistic called {@code too_old_heaps} or {@code rejected_heaps}
     */
    public ChunkStream(ThreadPool threadPool, StreamConfig config, ChunkStreamConfig chunkConfig, Allocate allocate,
                       Ready ready) {
        super(threadPool, config, chunkConfig);
        this.allocate = Objects.requireNonNull(allocate, "allocate");
        this.ready = Objects.requireNonNull(ready, "ready");
    }

    @Override
    Chunk allocateChunk(long chunkId) {
        try {
            return allocate.allocate(chunkId, stats);
        } catch (RuntimeException e) {
            callbackFailed("the allocate callback threw for chunk " + chunkId + "; leaving a hole", e);
            return null;
        }
    }

    @Override
    void readyChunk(Chunk chunk) {
        try {
            ready.ready(chunk, stats);
        } catch (RuntimeException e) {
            callbackFailed("the ready callback threw for chunk " + chunk.chunkId(), e);
        }
    }

    /** Records the failure and stops the stream from another thread (the caller holds the lock, mid-batch). */
    private void callbackFailed(String what, RuntimeException e) {
        recordFailure(what + "; stopping the stream", e);
        if (!stopRequested) {
            stopRequested = true;
            Thread.ofVirtual().name("spead4j-chunk-stream-stop").start(this::stop);
        }
    }

    @Override
    void headUpdated(long head) {
        // nothing waits on a lone stream's head
    }

    /**
     * Hands the window's chunks to ready before {@link #awaitStopped()} returns (the flush runs outside a
     * batch: what the callbacks count is merged after it).
     */
    @Override
    void beforeStopSignalled() {
        beginStopStats();
        try {
            flushChunks();
        } finally {
            mergeStopStats();
        }
    }

    @Override
    void chunkStreamStopped() {
        // the chunks were handed to ready before the stop was signalled: nothing else to release
    }

    @Override
    public String toString() {
        return "ChunkStream(" + config() + ", " + chunkConfig() + ")";
    }
}
