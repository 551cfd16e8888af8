package io.spead4j.recv;

import io.spead4j.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * A receive stream that hands every heap to a callback, like a C++ spead2 {@code stream} subclass
 * overriding {@code heap_ready}. The callback runs on a reader thread with the stream's lock held, once per
 * heap that leaves the stream: complete heaps, and evicted or flushed ones (then an {@link IncompleteHeap}
 * when not contiguous, with its payload ranges). Keep it short: packets wait while it runs. An exception
 * it throws is logged and ignored. An {@link Error} it throws stops the stream (it is logged and kept as
 * the {@link #failure()}); during the flush of a stop it is logged and kept too, the flush goes on with the
 * next heap and the stop completes. Call {@link Heap#release()} on heaps whose memory should go back to a
 * pool.
 */
public abstract class CallbackStream extends StreamBase {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackStream.class);
    private final int bugCompat;

    /**
     * Creates the stream.
     *
     * @param threadPool the pool the readers run on
     * @param config the configuration
     */
    protected CallbackStream(ThreadPool threadPool, StreamConfig config) {
        super(Objects.requireNonNull(threadPool, "threadPool"), config);
        this.bugCompat = config.bugCompat();
    }

    /**
     * Creates the stream with the default configuration.
     *
     * @param threadPool the pool the readers run on
     */
    protected CallbackStream(ThreadPool threadPool) {
        this(threadPool, StreamConfig.DEFAULT);
    }

    /**
     * Receives a heap. Called with the stream's lock held, from a reader thread (or from {@link #stop()}).
     *
     * @param heap a {@link Heap} if contiguous, else an {@link IncompleteHeap}
     */
    protected abstract void heapReady(HeapBase heap);

    @Override
    final void liveHeapReady(LiveHeap heap) {
        HeapBase frozen;
        if (heap.isContiguous()) {
            frozen = Heap.freeze(heap, bugCompat);
        } else {
            frozen = new IncompleteHeap(heap, bugCompat, true);
            heap.release();
        }
        try {
            heapReady(frozen);
        } catch (RuntimeException e) {
            LOG.warn("heapReady failed on heap {}", frozen.cnt(), e);
        }
    }
}
