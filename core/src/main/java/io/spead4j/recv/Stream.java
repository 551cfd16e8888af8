package io.spead4j.recv;

import io.spead4j.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

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
 * <p>Consumers may mix {@link #get()}, {@link #tryGet()}, {@link #getAsync()} and iteration, from any threads:
 * every heap goes to exactly one of them, in the order they started waiting, and a {@code getAsync} future
 * that is cancelled or times out before it received a heap leaves that heap to the next consumer. If a
 * failure stopped the stream (see {@link #failure()}), it is the cause of the {@link StoppedException};
 * iteration just ends, so a consumer that iterates should check {@link #failure()} afterwards.
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
    private final Condition notFull = ringLock.newCondition();
    /** Heaps not yet taken; never holds a heap while {@link #waiters} holds a consumer. */
    private final ArrayDeque<HeapBase> ring;
    /** Consumers waiting for a heap (blocked {@code get()} calls and pending futures), oldest first. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
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

    /**
     * Creates a ring stream with the default ring configuration.
     *
     * @param threadPool the pool the readers run on
     * @param config the stream configuration
     */
    public Stream(ThreadPool threadPool, StreamConfig config) {
        this(threadPool, config, RingStreamConfig.DEFAULT);
    }

    /**
     * Creates a ring stream with the default stream and ring configurations.
     *
     * @param threadPool the pool the readers run on
     */
    public Stream(ThreadPool threadPool) {
        this(threadPool, StreamConfig.DEFAULT, RingStreamConfig.DEFAULT);
    }

    /** {@return the ring configuration} */
    public RingStreamConfig ringConfig() {
        return ringConfig;
    }

    /**
     * The occupancy of the stream's ring, spead2's {@code Stream.ringbuffer}: a live view for monitoring.
     *
     * @return the view (the same one on every call)
     */
    public Ringbuffer ringbuffer() {
        return ringbuffer;
    }

    private final Ringbuffer ringbuffer = new Ringbuffer();

    /** A live view of a ring stream's ring occupancy (spead2's {@code Stream.ringbuffer}). */
    public final class Ringbuffer {
        private Ringbuffer() {
        }

        /** {@return the heaps waiting in the ring now} */
        public int size() {
            ringLock.lock();
            try {
                return ring.size();
            } finally {
                ringLock.unlock();
            }
        }

        /** {@return the most heaps the ring holds ({@link RingStreamConfig#heaps()})} */
        public int capacity() {
            return ringConfig.heaps();
        }

        @Override
        public String toString() {
            return "Ringbuffer(" + size() + "/" + capacity() + ")";
        }
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
        try {
            if (contiguous) {
                frozen = Heap.freeze(heap, bugCompat);
            } else {
                frozen = new IncompleteHeap(heap, bugCompat, ringConfig.incompleteKeepPayloadRanges());
                heap.release();
            }
        } catch (Throwable t) {
            heap.release(); // whatever failed, the payload memory goes back to its allocator
            throw t;
        }
        push(frozen);
    }

    /**
     * Hands a heap to the oldest waiting consumer, else queues it in the ring (waiting for room). The worker
     * is the only producer, so a heap never sits in the ring while a consumer waits.
     */
    private void push(HeapBase heap) {
        Waiter waiter;
        ringLock.lock();
        try {
            if (!ringStopped && ring.size() >= ringConfig.heaps()) {
                incrementStat(StreamConfig.STAT_WORKER_BLOCKED);
                countDrops(DropReason.RING_FULL, 1);
                ReceiveEvents.RingFull event = ReceiveEvents.ringFullBegin(name(), ringConfig.heaps());
                while (!ringStopped && ring.size() >= ringConfig.heaps()) {
                    notFull.awaitUninterruptibly();
                }
                ReceiveEvents.ringFullEnd(event);
            }
            if (ringStopped) {
                countDrops(DropReason.STOPPED, 1);
                LOG.debug("dropped heap {} due to external stop", heap.cnt());
                if (heap instanceof Heap h) {
                    h.release();
                }
                return;
            }
            waiter = waiters.pollFirst();
            if (waiter == null) {
                ring.addLast(heap);
                return;
            }
            waiter.claimed = true;
        } finally {
            ringLock.unlock();
        }
        waiter.settle(heap, null);
    }

    private void stopRing() {
        List<Waiter> stranded = null;
        ringLock.lock();
        try {
            ringStopped = true;
            notFull.signalAll();
            if (!waiters.isEmpty()) {
                // consumers wait only while the ring is empty, and it stays empty now
                stranded = new ArrayList<>(waiters);
                waiters.clear();
                for (Waiter w : stranded) {
                    w.claimed = true;
                }
            }
        } finally {
            ringLock.unlock();
        }
        if (stranded != null) {
            for (Waiter w : stranded) {
                w.settle(null, stopped());
            }
        }
    }

    private StoppedException stopped() {
        return new StoppedException(failure().orElse(null));
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
     * Takes the next heap, waiting for one. Waiting callers (and pending {@link #getAsync()} futures) are
     * served in the order they started waiting. If the thread is interrupted after a heap was already
     * assigned to this call, the heap is returned and the interrupt status is set again.
     *
     * @return the heap: a {@link Heap} if contiguous, else an {@link IncompleteHeap}
     * @throws StoppedException once the stream has stopped and every heap was taken (its cause is the
     *     stream's {@link #failure()}, if any)
     * @throws InterruptedException if interrupted while waiting
     */
    public HeapBase get() throws InterruptedException {
        Waiter waiter;
        ringLock.lock();
        try {
            HeapBase heap = ring.pollFirst();
            if (heap != null) {
                notFull.signal();
                return heap;
            }
            if (ringStopped) {
                throw stopped();
            }
            waiter = new Waiter(true);
            waiters.addLast(waiter);
        } finally {
            ringLock.unlock();
        }
        try {
            return waiter.get();
        } catch (ExecutionException e) {
            throw stopped(); // the only way a waiter fails
        } catch (InterruptedException e) {
            if (waiter.cancel(false)) {
                throw e;
            }
            HeapBase heap; // assigned already: settled at once by the thread that assigned it
            try {
                heap = waiter.join();
            } catch (CompletionException stop) {
                throw stopped();
            } finally {
                Thread.currentThread().interrupt();
            }
            return heap;
        }
    }

    /**
     * Takes the next heap without waiting (spead2's {@code get_nowait}).
     *
     * @return the heap, or {@code null} if none is ready yet (spead2 raises {@code Empty})
     * @throws StoppedException if the stream has stopped and every heap was taken (its cause is the stream's
     *     {@link #failure()}, if any)
     */
    public HeapBase tryGet() {
        ringLock.lock();
        try {
            HeapBase heap = ring.pollFirst();
            if (heap == null) {
                if (ringStopped) {
                    throw stopped();
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
     * Takes the next heap asynchronously. No thread waits for it: the future is completed at once if a heap
     * is ready, else it joins the consumers waiting (in order with blocked {@link #get()} calls) and the
     * worker completes it, on a thread of the stream's pool, with the next heap. Cancelling the future, or
     * completing it otherwise ({@code orTimeout}, {@code completeOnTimeout}, {@code complete}) before a heap
     * was assigned to it, withdraws it: the heap goes to the next consumer, nothing is lost. Once a heap is
     * assigned, those calls return false and the future completes with the heap. The future does not support
     * {@code obtrudeValue}/{@code obtrudeException}.
     *
     * @return a future completed with the heap, or exceptionally with {@link StoppedException} once the stream
     *     has stopped and every heap was taken
     */
    public CompletableFuture<HeapBase> getAsync() {
        Waiter waiter = new Waiter(false);
        HeapBase heap;
        boolean stopped = false;
        ringLock.lock();
        try {
            heap = ring.pollFirst();
            if (heap != null) {
                notFull.signal();
                waiter.claimed = true;
            } else if (ringStopped) {
                waiter.claimed = true;
                stopped = true;
            } else {
                waiters.addLast(waiter);
            }
        } finally {
            ringLock.unlock();
        }
        if (heap != null) {
            waiter.settleNow(heap, null);
        } else if (stopped) {
            waiter.settleNow(null, stopped());
        }
        return waiter;
    }

    /**
     * A consumer waiting for a heap: a blocked {@link #get()} call or a {@link #getAsync()} future. Once the
     * worker (or a stop) assigns it a result under the ring lock ({@link #claimed}), nothing else can complete
     * it; until then, any outside completion withdraws it from the queue under the same lock, so a heap is
     * never handed to a future that no longer wants it.
     */
    private final class Waiter extends CompletableFuture<HeapBase> {
        /** A {@code get()} call: settled on the assigning thread (nothing runs but the wake-up). */
        private final boolean direct;
        /** A result is assigned (guarded by the ring lock). */
        private boolean claimed;

        Waiter(boolean direct) {
            this.direct = direct;
        }

        /** Completes with an assigned result; a future's dependants run on the pool, not on the worker. */
        void settle(HeapBase heap, Throwable failure) {
            if (direct) {
                settleNow(heap, failure);
                return;
            }
            try {
                threadPool().execute(() -> settleNow(heap, failure));
            } catch (RejectedExecutionException e) {
                settleNow(heap, failure); // the pool was closed
            }
        }

        void settleNow(HeapBase heap, Throwable failure) {
            if (failure == null) {
                super.complete(heap);
            } else {
                super.completeExceptionally(failure);
            }
        }

        /** {@return true if no result was assigned yet: the waiter leaves the queue and may be completed} */
        private boolean withdraw() {
            ringLock.lock();
            try {
                if (claimed) {
                    return false;
                }
                claimed = true;
                waiters.remove(this);
                return true;
            } finally {
                ringLock.unlock();
            }
        }

        @Override
        public boolean complete(HeapBase value) {
            return withdraw() && super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            Objects.requireNonNull(ex, "ex");
            return withdraw() && super.completeExceptionally(ex);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return withdraw() && super.cancel(mayInterruptIfRunning);
        }

        @Override
        public CompletableFuture<HeapBase> completeAsync(Supplier<? extends HeapBase> supplier, Executor executor) {
            Objects.requireNonNull(supplier, "supplier");
            Objects.requireNonNull(executor, "executor");
            executor.execute(() -> {
                HeapBase value;
                try {
                    value = supplier.get();
                } catch (Throwable t) {
                    completeExceptionally(t);
                    return;
                }
                complete(value);
            });
            return this;
        }

        @Override
        public void obtrudeValue(HeapBase value) {
            throw new UnsupportedOperationException("a stream's future cannot be obtruded");
        }

        @Override
        public void obtrudeException(Throwable ex) {
            throw new UnsupportedOperationException("a stream's future cannot be obtruded");
        }
    }

    /**
     * Iterates over the heaps until the stream stops and the ring is drained. {@code hasNext()} blocks; an
     * interrupt while waiting ends the iteration with an {@link IllegalStateException} (interrupt flag set).
     *
     * @return an iterator
     */
    @Override
    public Iterator<HeapBase> iterator() {
        return new BlockingRingIterator<>(this::get, "a heap");
    }

    @Override
    public String toString() {
        return "Stream(" + config() + ", " + ringConfig + ")";
    }
}
