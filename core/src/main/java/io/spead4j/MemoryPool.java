package io.spead4j;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link MemoryAllocator} that reuses buffers, spead2's {@code MemoryPool}. Requests of
 * {@code lower <= size <= upper} bytes get a buffer of exactly {@code upper} bytes from a LIFO stack of free
 * buffers (a fresh one when the stack is empty); other sizes bypass the pool, to the underlying allocator.
 * A freed buffer of {@code upper} bytes goes back on the stack while it holds fewer than {@code maxFree}
 * buffers, otherwise to the underlying allocator. {@code initial} buffers are allocated up front; with
 * {@code lowWater > 0}, whenever an allocation leaves fewer than {@code lowWater} free buffers, a background
 * thread refills the stack to {@code initial}. Thread-safe.
 *
 * <p>A received heap's buffer returns to the pool at {@link io.spead4j.recv.Heap#release()} and is then
 * overwritten by a later heap: the heap's raw items, and values decoded with {@link ItemGroup#zeroCopy(boolean)
 * zero-copy}, must not be read after the release. The values {@link ItemGroup#update} sets by default are
 * copies and are not affected.
 *
 * <p>For monitoring, the pool counts its {@link #freeCount() free buffers}, the buffers it
 * {@link #allocations() allocated}, its {@link #refills() refills} and the {@link #emptyCount() times it ran
 * empty}. As in spead2, a request that finds the pool empty logs a warning ({@link #setWarnOnEmpty}, on by
 * default), here at most once a second (with the number of such requests since the last warning), and
 * records a JFR event {@code io.spead4j.MemoryPoolEmpty}.
 *
 * <p><b>Lifetime.</b> A pool on native memory ({@link MemoryAllocator#offHeap()}, the default) frees each of
 * its buffers at once when it lets it go: a freed buffer beyond {@code maxFree}, and at {@link #close()} every
 * free buffer and every buffer given back afterwards. Close the pool once its streams have stopped: otherwise
 * its memory waits for the garbage collector to find the pool unreachable, which in a program that allocates
 * little on the Java heap can take minutes, while each new stream's pool allocates its {@code initial} buffers
 * afresh. A buffer freed this way can no longer be read (an access throws {@link IllegalStateException}); a
 * heap not yet released keeps its buffer until its release. A pool on another allocator gives its buffers back
 * to that allocator's {@link MemoryAllocator#free} instead.
 */
public final class MemoryPool implements MemoryAllocator, AutoCloseable {
    /** Frees the buffers of pools that became unreachable without {@link #close()}. */
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Logger LOG = LoggerFactory.getLogger(MemoryPool.class);
    /** Least time between two empty-pool warnings. */
    private static final long WARN_INTERVAL_NANOS = 1_000_000_000L;
    private final long lower;
    private final long upper;
    private final int maxFree;
    private final int initial;
    private final int lowWater;
    private final MemoryAllocator underlying;
    /** The pool's own buffers, freed at once, when it is on native memory; else null (from {@code underlying}). */
    private final PoolBuffers own;
    private final ArrayDeque<MemorySegment> free = new ArrayDeque<>();
    private boolean refilling;
    private boolean closed;
    // monitoring counters, guarded by free's lock
    private long allocations;
    private long refills;
    private long emptyCount;
    private boolean warnOnEmpty = true;
    private long lastWarnNanos;
    private long emptySinceWarn;
    private boolean warnedOnce;
    private long warnings;

    /**
     * Creates a pool of native buffers ({@link MemoryAllocator#offHeap()}), without background refill. Pooled
     * buffers are large and live long, so they stay off the Java heap, where buffers of half a G1 region or more
     * are humongous objects whose allocation starts collections (and pauses).
     *
     * @param lower smallest request served by the pool
     * @param upper largest request served by the pool, and the size of pooled buffers
     * @param maxFree most free buffers kept
     * @param initial buffers allocated up front, at most {@code maxFree}
     * @throws IllegalArgumentException on inconsistent arguments
     */
    public MemoryPool(long lower, long upper, int maxFree, int initial) {
        this(lower, upper, maxFree, initial, 0, MemoryAllocator.offHeap());
    }

    /**
     * Creates a pool.
     *
     * @param lower smallest request served by the pool, at least 0
     * @param upper largest request served by the pool and size of pooled buffers, {@code >= lower}
     * @param maxFree most free buffers kept, at least 0
     * @param initial buffers allocated up front, {@code 0 <= initial <= maxFree}
     * @param lowWater refill threshold, {@code 0 <= lowWater <= initial} (0: no refill)
     * @param underlying where buffers come from: {@link MemoryAllocator#offHeap()} for native buffers freed at
     *     once when the pool lets them go (see the class description), any other allocator for buffers given back
     *     to its {@link MemoryAllocator#free}; requests the pool does not serve go to it in either case
     * @throws IllegalArgumentException on inconsistent arguments
     */
    public MemoryPool(long lower, long upper, int maxFree, int initial, int lowWater, MemoryAllocator underlying) {
        if (lower < 0 || upper < lower) {
            throw new IllegalArgumentException("need 0 <= lower <= upper, got lower=" + lower + ", upper=" + upper);
        }
        if (maxFree < 0 || initial < 0 || initial > maxFree) {
            throw new IllegalArgumentException("need 0 <= initial <= maxFree, got initial=" + initial
                    + ", maxFree=" + maxFree);
        }
        if (lowWater < 0 || lowWater > initial) {
            throw new IllegalArgumentException("need 0 <= lowWater <= initial, got lowWater=" + lowWater
                    + ", initial=" + initial);
        }
        this.lower = lower;
        this.upper = upper;
        this.maxFree = maxFree;
        this.initial = initial;
        this.lowWater = lowWater;
        this.underlying = Objects.requireNonNull(underlying, "underlying");
        this.own = underlying == MemoryAllocator.offHeap() ? new PoolBuffers() : null;
        if (own != null) {
            CLEANER.register(this, own);
        }
        for (int i = 0; i < initial; i++) {
            free.push(newBuffer());
        }
        allocations = initial;
    }

    /** A new buffer of the pool's size. */
    private MemorySegment newBuffer() {
        return own != null ? own.allocate(upper) : underlying.allocate(upper);
    }

    /** Lets a buffer go: freed at once if it is one of the pool's own, else given to the underlying allocator. */
    private void letGo(MemorySegment segment) {
        if (own == null || !own.free(segment)) {
            underlying.free(segment);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the pool is {@linkplain #close() closed}
     */
    @Override
    public MemorySegment allocate(long size) {
        boolean bypass = size < lower || size > upper;
        MemorySegment segment = null;
        boolean refill = false;
        long warnCount = 0;
        synchronized (free) {
            if (closed) {
                throw new IllegalStateException("the memory pool is closed");
            }
            if (!bypass) {
                segment = free.pollFirst();
                if (lowWater > 0 && free.size() < lowWater && !refilling) {
                    refilling = true;
                    refill = true;
                    refills++;
                }
                if (segment == null) {
                    emptyCount++;
                    allocations++;
                    if (warnOnEmpty) {
                        emptySinceWarn++;
                        long now = System.nanoTime();
                        if (!warnedOnce || now - lastWarnNanos >= WARN_INTERVAL_NANOS) {
                            warnedOnce = true;
                            lastWarnNanos = now;
                            warnCount = emptySinceWarn;
                            emptySinceWarn = 0;
                            warnings++;
                        }
                    }
                }
            }
        }
        if (bypass) {
            return underlying.allocate(size);
        }
        if (refill) {
            Thread.ofVirtual().name("spead4j-memory-pool-refill").start(this::refill);
        }
        if (segment != null) {
            return segment;
        }
        if (warnCount > 0) {
            LOG.warn("memory pool is empty when allocating {} bytes ({} such request{} since the last warning)",
                    size, warnCount, warnCount == 1 ? "" : "s");
        }
        MemoryPoolEvents.empty(this, size, upper);
        return newBuffer();
    }

    /**
     * Turns the empty-pool warning on or off (spead2's {@code warn_on_empty}; on by default).
     *
     * @param warn whether a request that finds the pool empty logs a (rate-limited) warning
     */
    public void setWarnOnEmpty(boolean warn) {
        synchronized (free) {
            warnOnEmpty = warn;
        }
    }

    /** {@return whether a request that finds the pool empty logs a warning} */
    public boolean isWarnOnEmpty() {
        synchronized (free) {
            return warnOnEmpty;
        }
    }

    /** {@return buffers of the pool's size allocated from the underlying allocator so far (initial ones too)} */
    public long allocations() {
        synchronized (free) {
            return allocations;
        }
    }

    /** {@return background refills started so far (each tops the pool up to {@code initial})} */
    public long refills() {
        synchronized (free) {
            return refills;
        }
    }

    /** {@return empty-pool warnings logged so far (for tests of the rate limit)} */
    long warningsLogged() {
        synchronized (free) {
            return warnings;
        }
    }

    /** {@return requests so far that found no free buffer (a new one was allocated for each)} */
    public long emptyCount() {
        synchronized (free) {
            return emptyCount;
        }
    }

    private void refill() {
        try {
            while (true) {
                synchronized (free) {
                    if (closed || free.size() >= initial) {
                        return;
                    }
                }
                MemorySegment segment = newBuffer();
                boolean kept = false;
                synchronized (free) {
                    allocations++;
                    if (!closed && free.size() < maxFree) {
                        free.push(segment);
                        kept = true;
                    }
                }
                if (!kept) {
                    letGo(segment); // heaps freed meanwhile filled the pool (or it was closed): let this one go
                    return;
                }
            }
        } finally {
            synchronized (free) {
                refilling = false;
            }
        }
    }

    @Override
    public void free(MemorySegment segment) {
        if (segment.byteSize() == upper) {
            synchronized (free) {
                if (!closed && free.size() < maxFree) {
                    free.push(segment);
                    return;
                }
            }
        }
        letGo(segment);
    }

    /**
     * Closes the pool: its free buffers are let go now, buffers given back later are let go at once, and
     * {@link #allocate} throws from now on. On native memory (the default) "let go" means freed (see the class
     * description); on another allocator, given to its {@link MemoryAllocator#free}. Buffers of heaps not yet
     * released stay valid until their release. Idempotent. Close a pool only once the streams using it have
     * stopped.
     */
    @Override
    public void close() {
        List<MemorySegment> buffers;
        synchronized (free) {
            if (closed) {
                return;
            }
            closed = true;
            buffers = new ArrayList<>(free);
            free.clear();
        }
        for (MemorySegment segment : buffers) {
            letGo(segment);
        }
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        synchronized (free) {
            return closed;
        }
    }

    /** {@return the number of free buffers in the pool} */
    public int freeCount() {
        synchronized (free) {
            return free.size();
        }
    }

    /** {@return the smallest request served by the pool} */
    public long lower() {
        return lower;
    }

    /** {@return the largest request served by the pool, the size of its buffers} */
    public long upper() {
        return upper;
    }

    /** {@return the most free buffers kept} */
    public int maxFree() {
        return maxFree;
    }

    @Override
    public String toString() {
        return "MemoryPool(lower=" + lower + ", upper=" + upper + ", maxFree=" + maxFree + ", initial=" + initial
                + ", lowWater=" + lowWater + ")";
    }
}
