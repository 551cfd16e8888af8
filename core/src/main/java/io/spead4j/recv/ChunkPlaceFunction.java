package io.spead4j.recv;

/**
 * Decides where a heap goes in a chunk stream, spead2's chunk place callback. Called once per heap, on the
 * packet that starts it, on the stream's reader thread with the stream's lock held: keep it short and
 * never block. It reads the packet and the values of the items requested with
 * {@link ChunkStreamConfig#withItems(long...)} from {@code data}, and sets the chunk id, heap index, heap
 * offset and optionally extra bytes on it. Leaving the chunk id at -1 (or setting any negative value)
 * rejects the heap ({@code rejected_heaps}). The argument is a reusable flyweight: do not keep it.
 *
 * <pre>{@code
 * ChunkPlaceFunction place = d -> {
 *     long cnt = d.item(0);                       // items = [HEAP_CNT, ...]
 *     d.setChunkId(cnt / 10).setHeapIndex(cnt % 10).setHeapOffset(cnt % 10 * 1024);
 * };
 * }</pre>
 *
 * A place function must not allocate if the stream is to stay allocation-free per heap.
 * {@link TimestampPlacer} covers the common "chunk by timestamp, slot by index item" layout.
 */
@FunctionalInterface
public interface ChunkPlaceFunction {
    /**
     * Places one heap.
     *
     * @param data the packet, requested item values, batch statistics and extra area (inputs) and the
     *     placement (outputs, preset to chunk id -1 and zeros)
     */
    void place(ChunkPlaceData data);
}
