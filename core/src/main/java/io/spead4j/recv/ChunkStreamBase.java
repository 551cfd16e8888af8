package io.spead4j.recv;

import io.spead4j.ThreadPool;
import io.spead4j.wire.PacketDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The chunk end of the packet step, spead2's {@code chunk_stream_state} + {@code chunk_stream}
 * (SPEAD2-BEHAVIOUR.md §8): the same packet step as every stream (readers, slots, eviction, stats), but a
 * heap's payload goes straight into a chunk chosen by the place function, and a heap leaving the live set
 * only marks its presence. Chunks come and go through a window of {@code maxChunks} chunk ids; where they
 * come from and go to is the subclass's business ({@link ChunkRingStream}: rings;
 * {@link ChunkStreamGroupMember}: its group; {@link ChunkStream}: user callbacks).
 *
 * <p>The stream's configuration is adjusted as spead2 does: unsized heaps are refused, and two COUNTER
 * statistics are appended after the user's: {@code too_old_heaps} and {@code rejected_heaps}.
 */
abstract sealed class ChunkStreamBase extends StreamBase
        permits ChunkRingStream, ChunkStream, ChunkStreamGroupMember {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkStreamBase.class);

    /** Name of the statistic of heaps whose chunk had already left the window. */
    static final String TOO_OLD_HEAPS = "too_old_heaps";
    /** Name of the statistic of heaps the place function rejected (or placed outside the chunk). */
    static final String REJECTED_HEAPS = "rejected_heaps";

    private final ChunkStreamConfig chunkConfig;
    private final ChunkPlaceFunction place;
    private final ChunkPlaceData placeData;
    private final MemcpyFunction memcpy;
    private final long packetPresenceSize;
    private final long streamId;
    private final int tooOldIndex;
    private final int rejectedIndex;
    /** The chunk window; guarded by the stream's lock. */
    final ChunkWindow window;
    /** Receives the payload of heaps that go to no chunk. */
    private final LiveHeap.PayloadSink discard = (p, offset, length) -> { };
    private boolean placeFailureLogged;
    /** Handed-off live heaps and placements kept for reuse, so that nothing is allocated per heap. */
    private final ArrayDeque<LiveHeap> freeHeaps;
    private final ArrayDeque<PlacedHeap> freePlacements;
    private final int poolLimit;
    /** The window's view of this stream (kept private so the hooks stay out of the public API). */
    final ChunkWindow.Owner owner = new ChunkWindow.Owner() {
        @Override
        public Chunk allocateChunk(long chunkId) {
            return ChunkStreamBase.this.allocateChunk(chunkId);
        }

        @Override
        public void readyChunk(Chunk chunk) {
            ChunkStreamBase.this.readyChunk(chunk);
        }

        @Override
        public void headUpdated(long head) {
            ChunkStreamBase.this.headUpdated(head);
        }
    };

    ChunkStreamBase(ThreadPool threadPool, StreamConfig config, ChunkStreamConfig chunkConfig) {
        super(Objects.requireNonNull(threadPool, "threadPool"), adjust(config, chunkConfig));
        this.chunkConfig = chunkConfig;
        this.place = chunkConfig.place();
        this.placeData = new ChunkPlaceData(chunkConfig, this::updateBatchStat);
        this.memcpy = config.memcpy();
        this.packetPresenceSize = chunkConfig.packetPresencePayloadSize();
        this.streamId = config.streamId();
        this.tooOldIndex = config().getStatIndex(TOO_OLD_HEAPS);
        this.rejectedIndex = config().getStatIndex(REJECTED_HEAPS);
        this.window = new ChunkWindow(chunkConfig.maxChunks());
        // at most every slot's heap plus the one being created are live at once
        this.poolLimit = (int) Math.min(4096, (long) config.maxHeaps() * config.substreams() + 1);
        this.freeHeaps = new ArrayDeque<>(poolLimit);
        this.freePlacements = new ArrayDeque<>(poolLimit);
    }

    /** spead2's {@code adjust_config}: sized heaps only, and the two chunk statistics. */
    private static StreamConfig adjust(StreamConfig config, ChunkStreamConfig chunkConfig) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(chunkConfig, "chunkConfig");
        if (chunkConfig.place() == null) {
            throw new IllegalArgumentException("the chunk stream configuration has no place function");
        }
        return config.withAllowUnsizedHeaps(false).addStat(TOO_OLD_HEAPS).addStat(REJECTED_HEAPS);
    }

    /** {@return the chunk configuration} */
    public final ChunkStreamConfig chunkConfig() {
        return chunkConfig;
    }

    // ------------------------------------------------------------------------------------------------ heaps

    @Override
    final LiveHeap createLiveHeap(PacketDecoder p) {
        LiveHeap.PayloadSink target = placeHeap(p);
        LiveHeap heap = freeHeaps.pollFirst();
        if (heap == null) {
            return LiveHeap.intoSink(p.heapCnt(), p.heapAddressBits(), target);
        }
        heap.reuseIntoSink(p.heapCnt(), p.heapAddressBits(), target);
        return heap;
    }

    /** Counts a heap rejected as too old or by placement, in its statistic and its drop reason. */
    private void rejectHeap(int statIndex) {
        updateBatchStat(statIndex, 1);
        countDrops(statIndex == tooOldIndex ? DropReason.TOO_OLD : DropReason.PLACE_REJECTED, 1);
    }

    /** Runs the place function and finds the heap's chunk; returns where its payload goes. */
    private LiveHeap.PayloadSink placeHeap(PacketDecoder p) {
        placeData.reset(p);
        try {
            place.place(placeData);
        } catch (RuntimeException e) {
            if (!placeFailureLogged) {
                placeFailureLogged = true;
                LOG.warn("the place function threw on heap {}; such heaps are rejected (logged once)",
                        p.heapCnt(), e);
            }
            rejectHeap(rejectedIndex);
            return discard;
        }
        long chunkId = placeData.chunkId();
        if (window.isTooOld(chunkId)) {
            rejectHeap(chunkId >= 0 ? tooOldIndex : rejectedIndex);
            return discard;
        }
        Chunk chunk = window.getOrAllocate(chunkId, streamId, owner);
        if (chunk == null) {
            return discard; // no chunk could be obtained for this id (spead2 does not count these)
        }
        long heapIndex = placeData.heapIndex();
        long heapOffset = placeData.heapOffset();
        long heapLength = p.heapLength();
        long presentSlots = chunk.present().byteSize();
        long lastSlot = packetPresenceSize == 0 || heapLength == 0 ? heapIndex
                : heapIndex + (heapLength - 1) / packetPresenceSize;
        long extraOffset = placeData.extraOffset();
        long extraSize = placeData.extraSize();
        boolean fits = heapIndex >= 0 && lastSlot >= heapIndex && lastSlot < presentSlots
                && heapOffset >= 0 && heapOffset <= chunk.data().byteSize() - heapLength
                && extraSize >= 0 && extraSize <= chunkConfig.maxHeapExtra()
                && (extraSize == 0 || (extraOffset >= 0 && extraOffset <= chunk.extra().byteSize() - extraSize));
        if (!fits) {
            rejectHeap(rejectedIndex);
            if (LOG.isDebugEnabled()) {
                LOG.debug("heap {} placed outside chunk {} (heap index {}, offset {}, length {}, extra {}+{}): "
                        + "rejected", p.heapCnt(), chunkId, heapIndex, heapOffset, heapLength, extraOffset, extraSize);
            }
            return discard;
        }
        if (extraSize > 0) {
            MemorySegment.copy(placeData.extra(), 0, chunk.extra(), extraOffset, extraSize);
        }
        PlacedHeap placed = freePlacements.pollFirst();
        if (placed == null) {
            placed = new PlacedHeap();
        }
        placed.set(chunk, chunkId, heapIndex, heapOffset);
        return placed;
    }

    /** Where the payload of a heap placed in a chunk goes, spead2's {@code heap_metadata}. */
    private final class PlacedHeap implements LiveHeap.PayloadSink {
        private Chunk chunk;
        private long chunkId;
        private long heapIndex;
        private long heapOffset;

        void set(Chunk c, long id, long index, long offset) {
            this.chunk = c;
            this.chunkId = id;
            this.heapIndex = index;
            this.heapOffset = offset;
        }

        @Override
        public void copy(PacketDecoder p, long offset, long length) {
            if (window.isTooOld(chunkId)) {
                return; // the chunk left the window since the heap started: this packet is too old
            }
            memcpy.copy(p.segment(), p.payloadStart(), chunk.data(), heapOffset + offset, length);
            if (packetPresenceSize != 0) {
                chunk.present().set(ValueLayout.JAVA_BYTE, heapIndex + offset / packetPresenceSize, (byte) 1);
            }
        }

        /** A complete heap: mark it present, or count it too old if its chunk has gone. */
        void complete() {
            if (window.isTooOld(chunkId)) {
                rejectHeap(tooOldIndex);
            } else if (packetPresenceSize == 0) {
                chunk.present().set(ValueLayout.JAVA_BYTE, heapIndex, (byte) 1);
            }
        }
    }

    @Override
    final void liveHeapReady(LiveHeap heap) {
        LiveHeap.PayloadSink sink = heap.payloadSink();
        if (sink instanceof PlacedHeap placed) {
            if (heap.isComplete()) {
                placed.complete();
            }
            placed.chunk = null;
            if (freePlacements.size() < poolLimit) {
                freePlacements.addFirst(placed);
            }
        }
        heap.release();
        if (sink != null && freeHeaps.size() < poolLimit) {
            freeHeaps.addFirst(heap);
        }
    }

    // ------------------------------------------------------------------------------------------------ stop

    /** Makes every chunk of the window ready, oldest first, and closes the window (caller holds the lock). */
    final void flushChunks() {
        window.flushAll(ChunkWindow.END, owner);
    }

    @Override
    void afterStopReceived() {
        flushChunks();
        chunkStreamStopped();
    }

    /** Called under the lock after a stop flushed the live heaps and the chunks. */
    abstract void chunkStreamStopped();

    /**
     * Obtains a chunk for a new id entering the window (under the lock; may block).
     *
     * @param chunkId the id
     * @return the chunk, or null to leave a hole
     */
    abstract Chunk allocateChunk(long chunkId);

    /** Hands over a chunk leaving the window (under the lock; may block). @param chunk the chunk */
    abstract void readyChunk(Chunk chunk);

    /** Told that the window's head moved forward (under the lock). @param head the new head */
    abstract void headUpdated(long head);
}
