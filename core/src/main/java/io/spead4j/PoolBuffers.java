package io.spead4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The native buffers of a {@link MemoryPool} on native memory, each in a shared arena of its own, so that the
 * pool frees a buffer at once when it lets it go, instead of when the garbage collector finds it unreachable.
 * A pool's buffers are few and large (a receiver's heaps), and a program that allocates little on the Java
 * heap may go minutes without a collection: a receiver that makes one stream (and pool) after another would
 * meanwhile hold the buffers of every earlier one. Also the pool's {@link java.lang.ref.Cleaner} action: when an
 * unclosed pool becomes unreachable (no heap holds one of its buffers then, since a heap refers to its pool),
 * {@link #run()} frees whatever is left. Thread-safe.
 */
final class PoolBuffers implements Runnable {
    private final IdentityHashMap<MemorySegment, Arena> arenas = new IdentityHashMap<>();

    /**
     * Allocates a zeroed native buffer that {@link #free} releases at once.
     *
     * @param size bytes, at least 0
     * @return the buffer
     */
    MemorySegment allocate(long size) {
        Arena arena = Arena.ofShared();
        MemorySegment segment;
        try {
            segment = arena.allocate(size, OffHeapAllocator.ALIGNMENT);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        synchronized (arenas) {
            arenas.put(segment, arena);
        }
        return segment;
    }

    /**
     * Releases a buffer of this set now: it can no longer be accessed (an access throws
     * {@link IllegalStateException}).
     *
     * @param segment the buffer, as {@link #allocate} returned it
     * @return false if it is not a buffer of this set (nothing done)
     */
    boolean free(MemorySegment segment) {
        Arena arena;
        synchronized (arenas) {
            arena = arenas.remove(segment);
        }
        if (arena == null) {
            return false;
        }
        arena.close();
        return true;
    }

    /** {@return buffers allocated and not freed} */
    int live() {
        synchronized (arenas) {
            return arenas.size();
        }
    }

    /** Releases every buffer not yet freed. */
    @Override
    public void run() {
        List<Arena> left;
        synchronized (arenas) {
            left = new ArrayList<>(arenas.values());
            arenas.clear();
        }
        for (Arena arena : left) {
            arena.close();
        }
    }
}
