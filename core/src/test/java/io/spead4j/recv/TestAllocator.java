package io.spead4j.recv;

import io.spead4j.MemoryAllocator;
import io.spead4j.MemoryPool;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A user allocator for receive tests: wraps a real allocator (the plain one or a {@link MemoryPool}), counts
 * allocations and frees (a heap that vanished shows up as a buffer never freed), and can be told to throw an
 * {@link InjectedError} on its Nth allocation or on every free, the way a broken user allocator would.
 */
final class TestAllocator implements MemoryAllocator {
    /** The error a broken allocator throws. */
    static final class InjectedError extends Error {
        private static final long serialVersionUID = 1L;

        InjectedError(String message) {
            super(message);
        }
    }

    /** The allocators tests run with, named for the test report. */
    enum Kind {
        PLAIN(MemoryAllocator::plain),
        MEMORY_POOL(() -> new MemoryPool(0, 4096, 8, 2));

        private final Supplier<MemoryAllocator> factory;

        Kind(Supplier<MemoryAllocator> factory) {
            this.factory = factory;
        }
    }

    private final MemoryAllocator delegate;
    private final long failAllocation;
    private final boolean failFree;
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong frees = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    final InjectedError error;

    private TestAllocator(Kind kind, long failAllocation, boolean failFree) {
        this.delegate = kind.factory.get();
        this.failAllocation = failAllocation;
        this.failFree = failFree;
        this.error = new InjectedError("injected failure of a " + kind + " allocator");
    }

    /** @return an allocator that never fails @param kind the real allocator */
    static TestAllocator counting(Kind kind) {
        return new TestAllocator(kind, 0, false);
    }

    /** @return an allocator whose {@code n}th allocation throws @param kind the real allocator @param n from 1 */
    static TestAllocator failingAllocation(Kind kind, long n) {
        return new TestAllocator(kind, n, false);
    }

    /** @return an allocator whose every free throws @param kind the real allocator */
    static TestAllocator failingFree(Kind kind) {
        return new TestAllocator(kind, 0, true);
    }

    @Override
    public MemorySegment allocate(long size) {
        if (attempts.incrementAndGet() == failAllocation) {
            throw error;
        }
        MemorySegment segment = delegate.allocate(size);
        allocations.incrementAndGet();
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        if (failFree) {
            throw error;
        }
        frees.incrementAndGet();
        delegate.free(segment);
    }

    /** @return buffers allocated and not yet freed */
    long outstanding() {
        return allocations.get() - frees.get();
    }

    /** @return successful allocations */
    long allocations() {
        return allocations.get();
    }
}
