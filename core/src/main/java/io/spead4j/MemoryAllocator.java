package io.spead4j;

import java.lang.foreign.MemorySegment;

/**
 * Provides payload memory for received heaps, spead2's {@code MemoryAllocator}. The default,
 * {@link #plain()}, allocates fresh on-heap memory; {@link #offHeap()} native memory; {@link MemoryPool}
 * reuses buffers (native ones by default).
 * Implementations must be thread-safe.
 */
public interface MemoryAllocator {
    /**
     * Allocates at least {@code size} bytes.
     *
     * @param size bytes needed, at least 0
     * @return a segment of at least {@code size} bytes; only the first {@code size} are used
     */
    MemorySegment allocate(long size);

    /**
     * Gives memory back once the heap that used it is released. The default does nothing (the garbage
     * collector reclaims it).
     *
     * @param segment a segment returned by {@link #allocate} of this allocator
     */
    default void free(MemorySegment segment) {
        // garbage collected
    }

    /** {@return the plain allocator: a new zeroed on-heap segment per request} */
    static MemoryAllocator plain() {
        return PlainAllocator.INSTANCE;
    }

    /**
     * {@return an allocator of zeroed native (off-heap) memory, released once a segment is unreachable; what a
     *         {@link MemoryPool} uses unless given another}
     */
    static MemoryAllocator offHeap() {
        return OffHeapAllocator.INSTANCE;
    }
}
