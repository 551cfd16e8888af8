package io.spead4j.recv;

import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The argument of a {@link ChunkPlaceFunction}, spead2's {@code chunk_place_data}: a flyweight reused for
 * every heap of one stream (never allocate or keep it). Inputs: the packet that starts the heap, the values
 * of the requested items, the batch's custom statistics and the extra scratch area. Outputs: chunk id, heap
 * index, heap offset, extra offset and extra size, preset to -1, 0, 0, 0, 0 before each call.
 *
 * <p>The payload of the heap lands at {@code chunk.data() + heapOffset + PAYLOAD_OFFSET}; the presence byte
 * {@code heapIndex} is set when the heap completes (with packet presence, byte
 * {@code heapIndex + PAYLOAD_OFFSET / payloadSize} per packet). If {@code extraSize > 0}, that many bytes of
 * {@link #extra()} are copied to {@code chunk.extra() + extraOffset}. A placement that does not fit the
 * chunk's memory is rejected and counted in {@code rejected_heaps} (spead2 trusts it; spead4j checks).
 */
public final class ChunkPlaceData {
    private final long[] itemIds;
    private final long[] items;
    private final MemorySegment extra;
    private final BatchStats stats;
    private PacketDecoder packet;

    private long chunkId;
    private long heapIndex;
    private long heapOffset;
    private long extraOffset;
    private long extraSize;

    /** Where {@link #updateBatchStat} goes: the stream's current batch. */
    @FunctionalInterface
    interface BatchStats {
        /** Combines a value into a custom statistic of the current batch. */
        void update(int statIndex, long value);
    }

    /**
     * Creates the flyweight of one stream.
     *
     * @param config the chunk configuration (items, max heap extra)
     * @param stats the stream's batch statistics
     */
    ChunkPlaceData(ChunkStreamConfig config, BatchStats stats) {
        this.itemIds = config.itemArray();
        this.items = new long[itemIds.length];
        this.extra = config.maxHeapExtra() == 0 ? MemorySegment.ofArray(new byte[0])
                : Arena.ofAuto().allocate(config.maxHeapExtra(), 8);
        this.stats = stats;
    }

    /**
     * Prepares for a call: extracts the requested items from the packet (an immediate pointer with the
     * id anywhere in the packet, special ones included, the last one wins, -1 if none) and presets outputs.
     */
    void reset(PacketDecoder p) {
        this.packet = p;
        java.util.Arrays.fill(items, -1);
        int bits = p.heapAddressBits();
        int n = p.numItems();
        for (int i = 0; i < n; i++) {
            long pointer = p.rawPointer(i);
            if (pointer < 0) {
                long id = ItemPointer.id(pointer, bits);
                for (int j = 0; j < itemIds.length; j++) {
                    if (itemIds[j] == id) {
                        items[j] = ItemPointer.value(pointer, bits);
                    }
                }
            }
        }
        chunkId = -1;
        heapIndex = 0;
        heapOffset = 0;
        extraOffset = 0;
        extraSize = 0;
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** {@return the memory holding the packet that starts the heap (see {@link #packetOffset()})} */
    public MemorySegment packetSegment() {
        return packet.segment();
    }

    /** {@return offset of the packet's first byte in {@link #packetSegment()}} */
    public long packetOffset() {
        return packet.packetOffset();
    }

    /** {@return bytes of the packet: header, pointers and this packet's payload} */
    public long packetSize() {
        return packet.size();
    }

    /** {@return the packet's HEAP_CNT} */
    public long heapCnt() {
        return packet.heapCnt();
    }

    /** {@return the packet's HEAP_LENGTH (chunk streams accept only sized heaps)} */
    public long heapLength() {
        return packet.heapLength();
    }

    /** {@return the number of requested items ({@link ChunkStreamConfig#items()})} */
    public int itemCount() {
        return items.length;
    }

    /**
     * Value of a requested item.
     *
     * @param index position of the item in {@link ChunkStreamConfig#items()}
     * @return the immediate value in the packet, or -1 if the packet has no immediate pointer with that id
     * @throws IndexOutOfBoundsException if {@code index} is not a position in the item list
     */
    public long item(int index) {
        return items[index];
    }

    /**
     * Value of a requested item, found by id (the first position with that id; a short linear search).
     *
     * @param id the item id
     * @return the immediate value, or -1 if the packet has none or the id was not requested
     */
    public long itemById(long id) {
        for (int j = 0; j < itemIds.length; j++) {
            if (itemIds[j] == id) {
                return items[j];
            }
        }
        return -1;
    }

    /**
     * Updates a custom statistic (one added with {@link StreamConfig#addStat(String)}) for this batch: added
     * to a {@link StreamStatConfig.Mode#COUNTER}, compared with a {@link StreamStatConfig.Mode#MAXIMUM}. Merged
     * into the stream's statistics when the batch ends (spead2's {@code batch_stats}).
     *
     * @param statIndex the statistic's index ({@link StreamConfig#getStatIndex(String)})
     * @param value value to add or compare
     * @throws IllegalArgumentException if it is not a custom statistic of the stream
     */
    public void updateBatchStat(int statIndex, long value) {
        stats.update(statIndex, value);
    }

    /** {@return the extra scratch area ({@link ChunkStreamConfig#maxHeapExtra()} bytes)} */
    public MemorySegment extra() {
        return extra;
    }

    // ------------------------------------------------------------------------------------------------ outputs

    /** {@return the chunk id set so far (-1: reject)} */
    public long chunkId() {
        return chunkId;
    }

    /** {@return the heap index set so far} */
    public long heapIndex() {
        return heapIndex;
    }

    /** {@return the heap offset set so far} */
    public long heapOffset() {
        return heapOffset;
    }

    /** {@return the extra offset set so far} */
    public long extraOffset() {
        return extraOffset;
    }

    /** {@return the extra size set so far} */
    public long extraSize() {
        return extraSize;
    }

    /**
     * Sets the chunk the heap goes to.
     *
     * @param value the chunk id; negative rejects the heap
     * @return this
     */
    public ChunkPlaceData setChunkId(long value) {
        chunkId = value;
        return this;
    }

    /**
     * Sets the heap's slot in the chunk's presence map.
     *
     * @param value the index (non-negative, below the presence map size, else the heap is rejected)
     * @return this
     */
    public ChunkPlaceData setHeapIndex(long value) {
        heapIndex = value;
        return this;
    }

    /**
     * Sets where the heap's payload starts in the chunk's data.
     *
     * @param value byte offset (the heap must fit in the data, else it is rejected)
     * @return this
     */
    public ChunkPlaceData setHeapOffset(long value) {
        heapOffset = value;
        return this;
    }

    /**
     * Sets where the extra bytes go in the chunk's extra area.
     *
     * @param value byte offset
     * @return this
     */
    public ChunkPlaceData setExtraOffset(long value) {
        extraOffset = value;
        return this;
    }

    /**
     * Sets how many bytes of {@link #extra()} are copied to the chunk's extra area.
     *
     * @param value byte count, at most {@link ChunkStreamConfig#maxHeapExtra()}
     * @return this
     */
    public ChunkPlaceData setExtraSize(long value) {
        extraSize = value;
        return this;
    }
}
