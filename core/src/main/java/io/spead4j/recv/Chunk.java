package io.spead4j.recv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A chunk of a chunk stream, spead2's {@code chunk}: a block of payload memory ({@link #data()}) into which
 * a chunk stream places the payload of many heaps, a presence map ({@link #present()}, one byte per heap
 * slot, or per packet slot with packet presence) and an optional per-heap side area ({@link #extra()}).
 * The memory is the user's: allocate it once (an {@link java.lang.foreign.Arena}, a pinned or GPU-mapped
 * region) and hand the chunk to the stream through its free ring; chunks come back full through the data
 * ring and can be reused with {@link ChunkRingPair#addFreeChunk(Chunk)}.
 *
 * <p>The stream sets {@link #chunkId()} and {@link #streamId()} when it takes the chunk into its window. A
 * chunk is used by one stream (or one group) at a time; the segments must be writable.
 */
public final class Chunk {
    private static final MemorySegment NO_EXTRA = MemorySegment.ofArray(new byte[0]);

    private final MemorySegment present;
    private final MemorySegment data;
    private final MemorySegment extra;
    private volatile long chunkId = -1;
    private volatile long streamId;

    /**
     * Creates a chunk without an extra area.
     *
     * @param present the presence map: one byte per heap (or packet) slot the place function may use
     * @param data the payload memory
     * @throws IllegalArgumentException if a segment is read-only
     */
    public Chunk(MemorySegment present, MemorySegment data) {
        this(present, data, null);
    }

    /**
     * Creates a chunk.
     *
     * @param present the presence map: one byte per heap (or packet) slot the place function may use
     * @param data the payload memory
     * @param extra the per-heap side area written by the place function's {@code extra} output, or null
     *     for none
     * @throws IllegalArgumentException if a segment is read-only
     */
    public Chunk(MemorySegment present, MemorySegment data, MemorySegment extra) {
        this.present = writable(Objects.requireNonNull(present, "present"), "present");
        this.data = writable(Objects.requireNonNull(data, "data"), "data");
        this.extra = extra == null ? NO_EXTRA : writable(extra, "extra");
    }

    private static MemorySegment writable(MemorySegment segment, String what) {
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("chunk " + what + " memory must be writable");
        }
        return segment;
    }

    /** {@return the chunk id given by the stream (-1 until a stream used the chunk)} */
    public long chunkId() {
        return chunkId;
    }

    /** {@return the {@link StreamConfig#streamId()} of the stream that filled the chunk (0 until then)} */
    public long streamId() {
        return streamId;
    }

    /** {@return the presence map: byte {@code i} is 1 if heap (or packet) slot {@code i} arrived, else 0} */
    public MemorySegment present() {
        return present;
    }

    /** {@return the payload memory} */
    public MemorySegment data() {
        return data;
    }

    /** {@return the extra area, or an empty segment if the chunk has none (see {@link #hasExtra()})} */
    public MemorySegment extra() {
        return extra;
    }

    /** {@return true if the chunk was created with an extra area} */
    public boolean hasExtra() {
        return extra != NO_EXTRA;
    }

    /**
     * Tells whether slot {@code index} of the presence map is set.
     *
     * @param index the slot
     * @return true if its byte is non-zero
     * @throws IndexOutOfBoundsException if {@code index} is outside the presence map
     */
    public boolean isPresent(long index) {
        return present.get(ValueLayout.JAVA_BYTE, index) != 0;
    }

    /**
     * Counts the set slots of the presence map (heaps, or packets with packet presence, that arrived).
     *
     * @return how many bytes of {@link #present()} are non-zero
     */
    public long presentCount() {
        long count = 0;
        for (long i = 0, n = present.byteSize(); i < n; i++) {
            if (present.get(ValueLayout.JAVA_BYTE, i) != 0) {
                count++;
            }
        }
        return count;
    }

    /** Sets every byte of the presence map to 0 (done by {@link ChunkRingPair#addFreeChunk(Chunk)}). */
    public void clearPresent() {
        present.fill((byte) 0);
    }

    /** Called by a stream when the chunk enters its window. */
    void assign(long id, long stream) {
        this.chunkId = id;
        this.streamId = stream;
    }

    @Override
    public String toString() {
        return "Chunk(id=" + chunkId + ", stream=" + streamId + ", present=" + present.byteSize() + " bytes, data="
                + data.byteSize() + " bytes, extra=" + extra.byteSize() + " bytes)";
    }
}
