package io.spead4j.send;

import java.util.Objects;

/**
 * A heap with the per-send options of spead2's {@code HeapReference}: an explicit heap cnt, the substream to
 * send it on, and a rate for this heap.
 *
 * @param heap the heap
 * @param cnt the heap cnt, or -1 (any negative value) to take the next one of the stream's cnt sequence
 * @param substreamIndex the substream (e.g. the destination) to send on
 * @param rate bytes per second for this heap: negative = the stream's rate, 0 = unlimited, positive = this rate
 */
public record HeapReference(Heap heap, long cnt, int substreamIndex, double rate) {
    /** Checks the arguments. */
    public HeapReference {
        Objects.requireNonNull(heap, "heap");
        if (substreamIndex < 0) {
            throw new IllegalArgumentException("substream index must be non-negative, got " + substreamIndex);
        }
        if (Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be finite, got " + rate);
        }
    }

    /**
     * A reference with an automatic cnt, substream 0 and the stream's rate.
     *
     * @param heap the heap
     */
    public HeapReference(Heap heap) {
        this(heap, -1, 0, -1.0);
    }

    /**
     * A reference with the stream's rate.
     *
     * @param heap the heap
     * @param cnt the heap cnt, or -1 for automatic
     * @param substreamIndex the substream
     */
    public HeapReference(Heap heap, long cnt, int substreamIndex) {
        this(heap, cnt, substreamIndex, -1.0);
    }
}
