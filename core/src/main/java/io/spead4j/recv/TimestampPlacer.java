package io.spead4j.recv;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A ready-made {@link ChunkPlaceFunction} for the usual telescope layout (the MeerKAT F-engine and
 * X-engine shapes): every heap carries a timestamp immediate that advances by a fixed step from one heap
 * to the next in time, and optionally a second immediate (an F-engine id, a beam, a channel block) that
 * says which of {@code indexCount} parallel heaps of that time it is. A chunk covers
 * {@code heapsPerChunk} consecutive timestamps:
 * <pre>
 * t          = timestamp / timestampStep
 * chunk id   = t / heapsPerChunk
 * heap index = (t % heapsPerChunk) * indexCount + index
 * heap offset = heap index * heapPayloadSize
 * </pre>
 * so a chunk's data is a {@code [heapsPerChunk][indexCount][heapPayloadSize]} array and its presence map
 * has {@code heapsPerChunk * indexCount} bytes ({@link #newChunk(Arena)} allocates one). Heaps whose
 * HEAP_LENGTH is not {@code heapPayloadSize} (descriptors, the stop heap), without the timestamp, with a
 * timestamp that is not a multiple of the step, or with an index outside {@code [0, indexCount)} are
 * rejected ({@code rejected_heaps}). Allocates nothing per heap; immutable.
 *
 * <pre>{@code
 * TimestampPlacer placer = new TimestampPlacer(0x1600, 2 * 4096 * 256, 4, 128 * 256 * 2 * 2)
 *         .withIndex(0x4101, 64);                    // feng_id, 64 antennas
 * ChunkStreamConfig config = placer.configure(new ChunkStreamConfig().withMaxChunks(4));
 * }</pre>
 */
public final class TimestampPlacer implements ChunkPlaceFunction {
    private final long timestampId;
    private final long timestampStep;
    private final int heapsPerChunk;
    private final long heapPayloadSize;
    private final long indexId;
    private final int indexCount;

    /**
     * Creates a placer without an index item (one heap per timestamp).
     *
     * @param timestampId id of the timestamp immediate
     * @param timestampStep how much the timestamp advances from one heap to the next in time, at least 1
     * @param heapsPerChunk timestamps per chunk, at least 1
     * @param heapPayloadSize the payload bytes (HEAP_LENGTH) of every data heap, at least 1
     * @throws IllegalArgumentException on a bad argument
     */
    public TimestampPlacer(long timestampId, long timestampStep, int heapsPerChunk, long heapPayloadSize) {
        this(timestampId, timestampStep, heapsPerChunk, heapPayloadSize, -1, 1);
    }

    private TimestampPlacer(long timestampId, long timestampStep, int heapsPerChunk, long heapPayloadSize,
                            long indexId, int indexCount) {
        if (timestampId < 0) {
            throw new IllegalArgumentException("timestamp item id must be non-negative, got " + timestampId);
        }
        if (timestampStep < 1) {
            throw new IllegalArgumentException("timestampStep must be at least 1, got " + timestampStep);
        }
        if (heapsPerChunk < 1) {
            throw new IllegalArgumentException("heapsPerChunk must be at least 1, got " + heapsPerChunk);
        }
        if (heapPayloadSize < 1) {
            throw new IllegalArgumentException("heapPayloadSize must be at least 1, got " + heapPayloadSize);
        }
        if (indexCount < 1) {
            throw new IllegalArgumentException("indexCount must be at least 1, got " + indexCount);
        }
        long slots = (long) heapsPerChunk * indexCount;
        if (slots > Integer.MAX_VALUE || Math.multiplyHigh(slots, heapPayloadSize) != 0
                || slots * heapPayloadSize < 0) {
            throw new IllegalArgumentException("a chunk of " + heapsPerChunk + " x " + indexCount + " heaps of "
                    + heapPayloadSize + " bytes is too large");
        }
        this.timestampId = timestampId;
        this.timestampStep = timestampStep;
        this.heapsPerChunk = heapsPerChunk;
        this.heapPayloadSize = heapPayloadSize;
        this.indexId = indexId;
        this.indexCount = indexCount;
    }

    /**
     * Returns a copy that also places heaps by an index immediate.
     *
     * @param id id of the index immediate (say MeerKAT's {@code feng_id}, 0x4101)
     * @param count number of index values, at least 1; heaps with an index outside {@code [0, count)} are
     *     rejected
     * @return the new placer
     * @throws IllegalArgumentException on a bad argument
     */
    public TimestampPlacer withIndex(long id, int count) {
        if (id < 0) {
            throw new IllegalArgumentException("index item id must be non-negative, got " + id);
        }
        return new TimestampPlacer(timestampId, timestampStep, heapsPerChunk, heapPayloadSize, id, count);
    }

    /** {@return the ids this placer reads (timestamp, then index if any)} */
    public List<Long> items() {
        List<Long> out = new ArrayList<>(2);
        out.add(timestampId);
        if (indexId >= 0) {
            out.add(indexId);
        }
        return List.copyOf(out);
    }

    /**
     * Returns {@code config} with this placer as its place function and its items requested (added after
     * any items already there).
     *
     * @param config a chunk stream configuration
     * @return the new configuration
     */
    public ChunkStreamConfig configure(ChunkStreamConfig config) {
        List<Long> ids = new ArrayList<>(config.items());
        for (Long id : items()) {
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return config.withItems(ids).withPlace(this);
    }

    /** {@return heap slots per chunk: bytes of a chunk's presence map} */
    public int presentSize() {
        return heapsPerChunk * indexCount;
    }

    /** {@return bytes of a chunk's data} */
    public long chunkDataSize() {
        return presentSize() * heapPayloadSize;
    }

    /** {@return timestamps per chunk} */
    public int heapsPerChunk() {
        return heapsPerChunk;
    }

    /** {@return number of index values (1 without an index item)} */
    public int indexCount() {
        return indexCount;
    }

    /** {@return the timestamp step between consecutive heaps in time} */
    public long timestampStep() {
        return timestampStep;
    }

    /** {@return the payload bytes of every data heap} */
    public long heapPayloadSize() {
        return heapPayloadSize;
    }

    /**
     * The timestamp of a chunk's first heap slot.
     *
     * @param chunkId a chunk id
     * @return {@code chunkId * heapsPerChunk * timestampStep}
     */
    public long chunkTimestamp(long chunkId) {
        return chunkId * heapsPerChunk * timestampStep;
    }

    /**
     * Allocates a chunk of the right sizes (presence map and data, zeroed, no extra area).
     *
     * @param arena where the memory comes from
     * @return the chunk
     */
    public Chunk newChunk(Arena arena) {
        return new Chunk(arena.allocate(presentSize()), arena.allocate(chunkDataSize(), 64));
    }

    @Override
    public void place(ChunkPlaceData data) {
        if (data.heapLength() != heapPayloadSize) {
            return;
        }
        long timestamp = data.itemById(timestampId);
        if (timestamp < 0 || timestamp % timestampStep != 0) {
            return;
        }
        long index = 0;
        if (indexId >= 0) {
            index = data.itemById(indexId);
            if (index < 0 || index >= indexCount) {
                return;
            }
        }
        long t = timestamp / timestampStep;
        long heapIndex = (t % heapsPerChunk) * indexCount + index;
        data.setChunkId(t / heapsPerChunk).setHeapIndex(heapIndex).setHeapOffset(heapIndex * heapPayloadSize);
    }

    @Override
    public String toString() {
        return "TimestampPlacer(timestampId=0x" + Long.toHexString(timestampId) + ", step=" + timestampStep
                + ", heapsPerChunk=" + heapsPerChunk + ", heapPayloadSize=" + heapPayloadSize
                + (indexId >= 0 ? ", indexId=0x" + Long.toHexString(indexId) + ", indexCount=" + indexCount : "")
                + ")";
    }
}
