package io.spead4j.recv;

import io.spead4j.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Several chunk streams filling the same chunks, spead2's {@code ChunkStreamRingGroup}
 * (SPEAD2-BEHAVIOUR.md §8): for example one stream per network interface or per multicast group of a
 * telescope, all placing their heaps into one chunk per time span. The group takes empty chunks from a free
 * ring and delivers a chunk through the data ring once every member has moved past it.
 *
 * <pre>{@code
 * ChunkStreamRingGroup group = new ChunkStreamRingGroup(new ChunkStreamGroupConfig(4, LOSSY), data, free);
 * for (...) group.emplaceBack(pool, new StreamConfig(), chunkConfig).addUdpReader(...);
 * for (Chunk chunk : group.dataRingbuffer()) { ...; group.addFreeChunk(chunk); }
 * }</pre>
 *
 * <p>The group's window holds {@link ChunkStreamGroupConfig#maxChunks()} chunks; a member's own window may
 * not be larger. When a member needs a chunk beyond the group's window, in {@link
 * ChunkStreamGroupConfig.EvictionMode#LOSSY} mode every member is asked to give up the oldest chunks and the
 * member waits until they have; in {@link ChunkStreamGroupConfig.EvictionMode#LOSSLESS} mode the member
 * waits until every member has moved on by itself (a silent member holds up the others until it stops or
 * the group is stopped).
 *
 * <p>A member waits on the thread of its reader, so every member must be able to make progress on its own
 * (spead2's caveat): readers driven by readiness (native UDP, in-process queues) share the event loops of
 * their {@link io.spead4j.ThreadPool}, and a member waiting on a loop holds up every other reader of that
 * loop, the members it waits for included. Give each member a thread pool of its own (one thread), or at
 * least a pool with as many threads as members whose readers are added in turn.
 *
 * <p>Every member is a producer of the data ring: when all of them have stopped from their data, the
 * remaining chunks are delivered and the data ring stops. {@link #stop()} (or any member's
 * {@link ChunkStreamGroupMember#stop()}) stops both rings and every member, unblocking members that wait for
 * chunks or for each other. Statistics are kept per member.
 */
public final class ChunkStreamRingGroup implements ChunkRingPair, Iterable<ChunkStreamGroupMember>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkStreamRingGroup.class);

    private final ChunkStreamGroupConfig config;
    private final ChunkRingbuffer dataRing;
    private final ChunkRingbuffer freeRing;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition headMoved = lock.newCondition();
    /** The group's chunks; guarded by {@link #lock}. */
    private final ChunkWindow window;
    /** The members, in order; guarded by {@link #lock}. */
    private final List<ChunkStreamGroupMember> streams = new ArrayList<>();
    /** Each member's window head; guarded by {@link #lock}. */
    private long[] heads = new long[0];
    /** The last target every member was asked to flush to (LOSSY); guarded by {@link #lock}. */
    private long lastFlushUntil;

    private final ChunkWindow.Owner owner = new ChunkWindow.Owner() {
        @Override
        public Chunk allocateChunk(long chunkId) {
            return freeRing.getUninterruptibly();
        }

        @Override
        public void readyChunk(Chunk chunk) {
            ChunkRingStream.putReadyChunk(dataRing, chunk, LOG);
        }

        @Override
        public void headUpdated(long head) {
            headMoved.signalAll();
        }
    };

    /**
     * Creates an empty group; add streams with {@link #emplaceBack}.
     *
     * @param config the group configuration
     * @param dataRing where full chunks go
     * @param freeRing where empty chunks come from
     */
    public ChunkStreamRingGroup(ChunkStreamGroupConfig config, ChunkRingbuffer dataRing, ChunkRingbuffer freeRing) {
        this.config = Objects.requireNonNull(config, "config");
        this.dataRing = Objects.requireNonNull(dataRing, "dataRing");
        this.freeRing = Objects.requireNonNull(freeRing, "freeRing");
        this.window = new ChunkWindow(config.maxChunks());
    }

    /** {@return the group configuration} */
    public ChunkStreamGroupConfig config() {
        return config;
    }

    @Override
    public ChunkRingbuffer dataRingbuffer() {
        return dataRing;
    }

    @Override
    public ChunkRingbuffer freeRingbuffer() {
        return freeRing;
    }

    /**
     * Adds a member stream (spead2's {@code emplace_back}); it becomes a producer of the data ring. Add every
     * member before any data arrives, then add readers to the members.
     *
     * @param threadPool the pool the member's readers run on
     * @param streamConfig the member's stream configuration
     * @param chunkConfig the member's chunk configuration (with a place function; its {@code maxChunks} at
     *     most the group's)
     * @return the new member
     * @throws IllegalArgumentException if the member's {@code maxChunks} exceeds the group's, or the chunk
     *     configuration has no place function
     * @throws IllegalStateException if the group has already received data
     */
    public ChunkStreamGroupMember emplaceBack(ThreadPool threadPool, StreamConfig streamConfig,
                                              ChunkStreamConfig chunkConfig) {
        Objects.requireNonNull(chunkConfig, "chunkConfig");
        if (chunkConfig.maxChunks() > config.maxChunks()) {
            throw new IllegalArgumentException("a member's maxChunks (" + chunkConfig.maxChunks()
                    + ") must not be larger than the group's (" + config.maxChunks() + ")");
        }
        lock.lock();
        try {
            if (window.tail() != 0 || lastFlushUntil != 0) {
                throw new IllegalStateException("cannot add a stream after the group has started receiving data");
            }
            ChunkStreamGroupMember member =
                    new ChunkStreamGroupMember(this, streams.size(), threadPool, streamConfig, chunkConfig);
            streams.add(member);
            heads = Arrays.copyOf(heads, streams.size());
            dataRing.addProducer();
            return member;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the number of member streams} */
    public int size() {
        lock.lock();
        try {
            return streams.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A member stream.
     *
     * @param index its position, 0 to {@link #size()} - 1
     * @return the member
     * @throws IndexOutOfBoundsException if there is no such member
     */
    public ChunkStreamGroupMember get(int index) {
        lock.lock();
        try {
            return streams.get(index);
        } finally {
            lock.unlock();
        }
    }

    /** {@return the member streams, in order (a snapshot)} */
    public List<ChunkStreamGroupMember> streams() {
        lock.lock();
        try {
            return List.copyOf(streams);
        } finally {
            lock.unlock();
        }
    }

    /** {@return an iterator over a snapshot of the member streams} */
    @Override
    public Iterator<ChunkStreamGroupMember> iterator() {
        return streams().iterator();
    }

    /**
     * A member asks for the group's chunk of an id (under the member's lock): waits, if the id is beyond the
     * group's window, until the members have moved past the oldest chunks (asking them to, in LOSSY mode).
     */
    Chunk getChunk(long chunkId, long streamId) {
        lock.lock();
        try {
            int max = config.maxChunks();
            if (Long.compareUnsigned(chunkId - window.head(), max) >= 0) {
                long target = chunkId - (max - 1); // the first chunk that need not be flushed
                if (config.evictionMode() == ChunkStreamGroupConfig.EvictionMode.LOSSY
                        && Long.compareUnsigned(target, lastFlushUntil) > 0) {
                    for (ChunkStreamGroupMember s : streams) {
                        s.asyncFlushUntil(target);
                    }
                    lastFlushUntil = target;
                }
                while (Long.compareUnsigned(window.head(), target) < 0) {
                    headMoved.awaitUninterruptibly();
                }
            }
            return window.getOrAllocate(chunkId, streamId, owner);
        } finally {
            lock.unlock();
        }
    }

    /** A member's window head moved (under the member's lock): chunks every member has passed become ready. */
    void streamHeadUpdated(int index, long head) {
        lock.lock();
        try {
            long old = heads[index];
            heads[index] = head;
            if (window.head() == old) {
                long min = ChunkWindow.END;
                for (long h : heads) {
                    if (Long.compareUnsigned(h, min) < 0) {
                        min = h;
                    }
                }
                window.flushUntil(min, owner);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A member stopped (stop item, end of its sources, or a stop): it leaves the data ring. */
    void streamStopReceived() {
        dataRing.removeProducer();
    }

    /**
     * Stops the group: stops both rings, then every member (in LOSSLESS mode first asking every member to
     * release all its chunks, so none stays blocked waiting for another). Chunks not yet delivered are
     * dropped; chunks in the data ring stay retrievable. Idempotent.
     */
    public void stop() {
        dataRing.stop();
        freeRing.stop();
        List<ChunkStreamGroupMember> members = streams();
        if (config.evictionMode() == ChunkStreamGroupConfig.EvictionMode.LOSSLESS) {
            for (ChunkStreamGroupMember s : members) {
                s.asyncFlushUntil(ChunkWindow.END);
            }
        }
        for (ChunkStreamGroupMember s : members) {
            s.stopMember();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "ChunkStreamRingGroup(" + config + ", " + size() + " streams)";
    }
}
