package io.spead4j.recv;

import io.spead4j.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A receive stream that delivers heaps through a bounded ring, spead2's Python {@code spead2.recv.Stream}
 * (C++ {@code ring_stream}). Heaps are {@link Heap}s when contiguous, otherwise {@link IncompleteHeap}s
 * (delivered only when {@link RingStreamConfig#contiguousOnly()} is false; dropped otherwise, still counted).
 *
 * <p>When the ring is full the worker counts {@code worker_blocked} and blocks until there is room (nothing
 * is dropped). A stop from the data (stop item, end of a source) flushes live heaps into the ring and then
 * stops the ring; a user {@link #stop()} stops the ring first, so heaps flushed then are dropped (but
 * counted). Heaps already in the ring stay retrievable after either kind of stop; {@link #get()} throws
 * {@link StoppedException} once the ring is stopped and empty, and iteration then ends.
 *
 * <pre>{@code
 * try (Stream stream = new Stream(pool, new StreamConfig())) {
 *     stream.addInprocReader(queue);
 *     for (HeapBase heap : stream) { ... }
 * }
 * }</pre>
 */
public final class Stream extends StreamBase implements Iterable<HeapBase> {
    private static final Logger LOG = LoggerFactory.getLogger(Stream.class);

    private final RingStreamConfig ringConfig;
    private final int bugCompat;
    private final ReentrantLock ringLock = new ReentrantLock();
    private final Condition notEmpty = ringLock.newCondition();
    private final Condition notFull = ringLock.newCondition();
    private final ArrayDeque<HeapBase> ring;
    private boolean ringStopped;

    /**
     * Creates a ring stream.
     *
     * @param threadPool the pool the readers run on
     * @param config the stream configuration
     * @param ringConfig the ring configuration
     */
    public Stream(ThreadPool threadPool, StreamConfig config, RingStreamConfig ringConfig) {
        super(Objects.requireNonNull(threadPool, "threadPool"), config);
        this.ringConfig = Objects.requireNonNull(ringConfig, "ringConfig");
        this.bugCompat = config.bugCompat();
        this.ring = new ArrayDeque<>(ringConfig.heaps());
    }

    /** Creates a ring stream with the default ring. @param threadPool the pool @param config the configuration */
    public Stream(ThreadPool threadPool, StreamConfig config) {
        this(threadPool, config, RingStreamConfig.DEFAULT);
    }

    /** Creates a ring stream with default configurations. @param threadPool the pool */
    public Stream(ThreadPool threadPool) {
        this(threadPool, StreamConfig.DEFAULT, RingStreamConfig.DEFAULT);
    }

    /** @return the ring configuration */
    public RingStreamConfig ringConfig() {
        return ringConfig;
    }

    @Override
    void liveHeapReady(LiveHeap heap) {
        boolean contiguous = heap.isContiguous();
        if (!contiguous && ringConfig.contiguousOnly()) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("dropped incomplete heap {} ({}/{} bytes of payload)", heap.cnt(), heap.receivedLength(),
                        heap.heapLength());
            }
            heap.release();
            return;
        }
        HeapBase frozen;
        if (contiguous) {
            frozen = Heap.freeze(heap, bugCompat);
        } else {
            frozen = new IncompleteHeap(heap, bugCompat, ringConfig.incompleteKeepPayloadRanges());
            heap.release();
        }
        push(frozen);
    }

    private void push(HeapBase heap) {
        ringLock.lock();
        try {
            if (!ringStopped && ring.size() >= ringConfig.heaps()) {
                incrementStat(StreamConfig.STAT_WORKER_BLOCKED);
                while (!ringStopped && ring.size() >= ringConfig.heaps()) {
                    notFull.awaitUninterruptibly();
                }
            }
            if (ringStopped) {
                LOG.debug("dropped heap {} due to external stop", heap.cnt());
                if (heap instanceof Heap h) {
                    h.release();
                }
                return;
            }
            ring.addLast(heap);
            notEmpty.signal();
        } finally {
            ringLock.unlock();
        }
    }

    private void stopRing() {
        ringLock.lock();
        try {
            ringStopped = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            ringLock.unlock();
        }
    }

    @Override
    void beforeUserStop() {
        stopRing();
    }

    @Override
    void afterStopReceived() {
        stopRing();
    }

    /**
     * Takes the next heap, waiting for one.
     *
     * @return the heap: a {@link Heap} if contiguous, else an {@link IncompleteHeap}
     * @throws StoppedException once the stream has stopped and every heap was taken
     * @throws InterruptedException if interrupted while waiting
     */
    public HeapBase get() throws InterruptedException {
        ringLock.lock();
        try {
            while (ring.isEmpty()) {
                if (ringStopped) {
                    throw new StoppedException();
                }
                notEmpty.await();
            }
            HeapBase heap = ring.pollFirst();
            notFull.signal();
            return heap;
        } finally {
            ringLock.unlock();
        }
    }

    /**
     * Takes the next heap without waiting (spead2's {@code get_nowait}).
     *
     * @return the heap, or {@code null} if none is ready yet (spead2 raises {@code Empty})
     * @throws StoppedException if the stream has stopped and every heap was taken
     */
    public HeapBase tryGet() {
        ringLock.lock();
        try {
            HeapBase heap = ring.pollFirst();
            if (heap == null) {
                if (ringStopped) {
                    throw new StoppedException();
                }
                return null;
            }
            notFull.signal();
            return heap;
        } finally {
            ringLock.unlock();
        }
    }

    /**
     * Takes the next heap asynchronously, on a thread of the stream's pool.
     *
     * @return a future completed with the heap, or exceptionally with {@link StoppedException}
     */
    public CompletableFuture<HeapBase> getAsync() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, threadPool().executor());
    }

    /**
     * Iterates over the heaps until the stream stops and the ring is drained. {@code hasNext()} blocks; an
     * interrupt while waiting ends the iteration with an {@link IllegalStateException} (interrupt flag set).
     *
     * @return an iterator
     */
    @Override
    public Iterator<HeapBase> iterator() {
        return new Iterator<>() {
            private HeapBase next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                try {
                    next = get();
                    return true;
                } catch (StoppedException e) {
                    done = true;
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a heap", e);
                }
            }

            @Override
            public HeapBase next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                HeapBase out = next;
                next = null;
                return out;
            }
        };
    }

    @Override
    public String toString() {
        return "Stream(" + config() + ", " + ringConfig + ")";
    }
}
