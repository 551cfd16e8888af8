package io.spead4j.recv;

import io.spead4j.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;

/**
 * One stream of a {@link ChunkStreamRingGroup}, spead2's {@code chunk_stream_group_member}: a chunk stream
 * with its own readers, packet step, statistics and window of chunks, whose chunks are the group's, shared
 * with the other members (each member places its heaps into the same chunk of an id). Created by
 * {@link ChunkStreamRingGroup#emplaceBack}. Its {@link #stop()} stops the whole group.
 */
public final class ChunkStreamGroupMember extends ChunkStreamBase {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkStreamGroupMember.class);

    private final ChunkStreamRingGroup group;
    private final int groupIndex;

    ChunkStreamGroupMember(ChunkStreamRingGroup group, int groupIndex, ThreadPool threadPool, StreamConfig config,
                           ChunkStreamConfig chunkConfig) {
        super(threadPool, config, chunkConfig);
        this.group = group;
        this.groupIndex = groupIndex;
    }

    /** {@return the group this stream belongs to} */
    public ChunkStreamRingGroup group() {
        return group;
    }

    /** {@return this stream's position in its group} */
    public int groupIndex() {
        return groupIndex;
    }

    @Override
    Chunk allocateChunk(long chunkId) {
        return group.getChunk(chunkId, config().streamId());
    }

    @Override
    void readyChunk(Chunk chunk) {
        // the group makes a chunk ready once every member has moved past it
    }

    @Override
    void headUpdated(long head) {
        group.streamHeadUpdated(groupIndex, head);
    }

    /**
     * Asks this stream to give up every chunk below {@code target}, soon, on another thread (under its lock,
     * between reader batches): spead2's {@code async_flush_until}.
     */
    void asyncFlushUntil(long target) {
        Runnable task = () -> {
            try {
                runLocked(() -> window.flushUntil(target, owner));
            } catch (Throwable t) {
                recordFailure("releasing chunks up to " + target + " for the group", t);
            }
        };
        try {
            threadPool().execute(task);
        } catch (RejectedExecutionException closed) {
            Thread.ofVirtual().name("spead4j-group-flush").start(task); // the stream's pool was closed
        }
    }

    @Override
    void chunkStreamStopped() {
        group.streamStopReceived();
    }

    /** Stops the whole group (spead2: a member's {@code stop} stops its group). */
    @Override
    public void stop() {
        group.stop();
    }

    /** Stops this stream only (the group's stop calls it for every member). */
    void stopMember() {
        super.stop();
    }

    @Override
    public String toString() {
        return "ChunkStreamGroupMember(" + groupIndex + ", " + config() + ", " + chunkConfig() + ")";
    }
}
