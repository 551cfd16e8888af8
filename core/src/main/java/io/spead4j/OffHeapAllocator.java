package io.spead4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link MemoryAllocator} of zeroed native (off-heap) memory, one automatic arena per request: the memory
 * is released once the segment is no longer reachable. Large long-lived buffers, such as a {@link MemoryPool}'s,
 * belong here: on the Java heap every buffer of half a G1 region or more is a humongous object, and allocating
 * them starts garbage collections (with their pauses) that a receiver at full rate cannot afford.
 */
final class OffHeapAllocator implements MemoryAllocator {
    static final OffHeapAllocator INSTANCE = new OffHeapAllocator();
    /** Alignment of every buffer (a pool's own ones too): a cache line, so payload copies start aligned. */
    static final long ALIGNMENT = 64;

    private OffHeapAllocator() {
    }

    @Override
    public MemorySegment allocate(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("cannot allocate " + size + " bytes");
        }
        return Arena.ofAuto().allocate(size, ALIGNMENT);
    }

    @Override
    public String toString() {
        return "MemoryAllocator.offHeap()";
    }
}
