package io.spead4j.recv;

/**
 * The two rings of a chunk ring stream or group, spead2's {@code chunk_ring_pair}: full chunks come out of
 * the {@link #dataRingbuffer()}, empty ones go back through the {@link #freeRingbuffer()}.
 */
public interface ChunkRingPair {
    /** {@return the ring that delivers full chunks} */
    ChunkRingbuffer dataRingbuffer();

    /** {@return the ring that supplies empty chunks} */
    ChunkRingbuffer freeRingbuffer();

    /**
     * Gives a chunk back for reuse: clears its presence map and queues it on the free ring without waiting.
     * If the free ring has been stopped the chunk is dropped (it is no longer needed).
     *
     * @param chunk the chunk
     * @throws IllegalStateException if the free ring is full (more chunks than its capacity were supplied)
     */
    default void addFreeChunk(Chunk chunk) {
        chunk.clearPresent();
        try {
            if (!freeRingbuffer().tryPut(chunk)) {
                throw new IllegalStateException("the free ring is full (" + freeRingbuffer().maxSize()
                        + " chunks): more chunks were supplied than it holds");
            }
        } catch (StoppedException stopped) {
            // the stream or group has stopped: nothing will use the chunk again
        }
    }
}
