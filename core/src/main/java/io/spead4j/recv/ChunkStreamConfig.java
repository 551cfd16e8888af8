package io.spead4j.recv;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a chunk stream, spead2's {@code ChunkStreamConfig}: which items' immediate values the place
 * function receives, how many chunks may be open at once, the place function, how many extra bytes a heap
 * may write, and packet presence. Immutable; every {@code with...} returns a modified copy.
 *
 * <pre>{@code
 * ChunkStreamConfig config = new ChunkStreamConfig()
 *         .withItems(Spead.HEAP_CNT_ID, Spead.HEAP_LENGTH_ID)
 *         .withMaxChunks(4)
 *         .withPlace(d -> { ... });
 * }</pre>
 */
public final class ChunkStreamConfig {
    /** spead2's default number of chunks in the window. */
    public static final int DEFAULT_MAX_CHUNKS = 2;

    private final long[] items;
    private final int maxChunks;
    private final ChunkPlaceFunction place;
    private final int maxHeapExtra;
    private final long packetPresencePayloadSize;

    /** Creates the default configuration: no items, 2 chunks, no place function (required by streams). */
    public ChunkStreamConfig() {
        this(new long[0], DEFAULT_MAX_CHUNKS, null, 0, 0);
    }

    private ChunkStreamConfig(long[] items, int maxChunks, ChunkPlaceFunction place, int maxHeapExtra,
                              long packetPresencePayloadSize) {
        this.items = items;
        this.maxChunks = maxChunks;
        this.place = place;
        this.maxHeapExtra = maxHeapExtra;
        this.packetPresencePayloadSize = packetPresencePayloadSize;
    }

    /** {@return the ids whose immediate values the place function receives, in order} */
    public List<Long> items() {
        return Arrays.stream(items).boxed().toList();
    }

    long[] itemArray() {
        return items.clone();
    }

    /** {@return the maximum number of chunks being filled at once} */
    public int maxChunks() {
        return maxChunks;
    }

    /** {@return the place function, or null if not set yet} */
    public ChunkPlaceFunction place() {
        return place;
    }

    /** {@return the most bytes a place function may write to a chunk's extra area per heap} */
    public int maxHeapExtra() {
        return maxHeapExtra;
    }

    /** {@return the payload bytes per packet slot of packet presence, or 0 if packet presence is off} */
    public long packetPresencePayloadSize() {
        return packetPresencePayloadSize;
    }

    /**
     * Sets the items passed to the place function ({@link ChunkPlaceData#item(int)} in this order). Any id
     * may be requested, the special ones (HEAP_CNT, HEAP_LENGTH, PAYLOAD_OFFSET, PAYLOAD_LENGTH) included.
     *
     * @param ids the item ids (non-negative)
     * @return the new configuration
     * @throws IllegalArgumentException if an id is negative
     */
    public ChunkStreamConfig withItems(long... ids) {
        Objects.requireNonNull(ids, "ids");
        for (long id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("item id must be non-negative, got " + id);
            }
        }
        return new ChunkStreamConfig(ids.clone(), maxChunks, place, maxHeapExtra, packetPresencePayloadSize);
    }

    /**
     * Sets the items passed to the place function.
     *
     * @param ids the item ids (non-negative)
     * @return the new configuration
     * @throws IllegalArgumentException if an id is negative
     */
    public ChunkStreamConfig withItems(List<Long> ids) {
        return withItems(ids.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * Sets the maximum number of chunks being filled at once (the window). A heap for a chunk past the
     * window makes the oldest chunks ready.
     *
     * @param value at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if {@code value < 1}
     */
    public ChunkStreamConfig withMaxChunks(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxChunks must be at least 1, got " + value);
        }
        return new ChunkStreamConfig(items, value, place, maxHeapExtra, packetPresencePayloadSize);
    }

    /**
     * Sets the place function.
     *
     * @param value the function (not null)
     * @return the new configuration
     */
    public ChunkStreamConfig withPlace(ChunkPlaceFunction value) {
        Objects.requireNonNull(value, "place");
        return new ChunkStreamConfig(items, maxChunks, value, maxHeapExtra, packetPresencePayloadSize);
    }

    /**
     * Sets the size of the extra scratch area ({@link ChunkPlaceData#extra()}).
     *
     * @param value bytes, at least 0
     * @return the new configuration
     * @throws IllegalArgumentException if {@code value < 0}
     */
    public ChunkStreamConfig withMaxHeapExtra(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("maxHeapExtra must be non-negative, got " + value);
        }
        return new ChunkStreamConfig(items, maxChunks, place, value, packetPresencePayloadSize);
    }

    /**
     * Turns packet presence on: instead of one presence byte per complete heap, each packet whose payload
     * was copied sets byte {@code heapIndex + PAYLOAD_OFFSET / payloadSize}, so partly received heaps show
     * which of their packets arrived.
     *
     * @param payloadSize payload bytes per packet slot, at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if {@code payloadSize < 1}
     */
    public ChunkStreamConfig enablePacketPresence(long payloadSize) {
        if (payloadSize < 1) {
            throw new IllegalArgumentException("packet presence payload size must be at least 1, got " + payloadSize);
        }
        return new ChunkStreamConfig(items, maxChunks, place, maxHeapExtra, payloadSize);
    }

    /** {@return a copy with packet presence off (one presence byte per complete heap)} */
    public ChunkStreamConfig disablePacketPresence() {
        return new ChunkStreamConfig(items, maxChunks, place, maxHeapExtra, 0);
    }

    @Override
    public String toString() {
        return "ChunkStreamConfig(items=" + Arrays.toString(items) + ", maxChunks=" + maxChunks + ", place="
                + (place == null ? "none" : place) + ", maxHeapExtra=" + maxHeapExtra
                + ", packetPresencePayloadSize=" + packetPresencePayloadSize + ")";
    }
}
