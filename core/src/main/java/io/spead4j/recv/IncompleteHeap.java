package io.spead4j.recv;

import java.util.List;

/**
 * A heap that was not contiguous when the stream handed it over (evicted or flushed before all its payload
 * arrived), spead2's {@code IncompleteHeap}. Its payload is dropped: {@link #items()} holds only immediate
 * items. {@link #payloadRanges()} tells which bytes arrived, when the stream was asked to keep them.
 */
public final class IncompleteHeap extends HeapBase {
    private final long heapLength;
    private final long receivedLength;
    private final List<PayloadRange> payloadRanges;

    IncompleteHeap(LiveHeap heap, int bugCompat, boolean keepPayloadRanges) {
        super(heap, bugCompat, false, null);
        this.heapLength = heap.heapLength();
        this.receivedLength = heap.receivedLength();
        this.payloadRanges = keepPayloadRanges ? heap.payloadRanges() : List.of();
    }

    /** {@return false: an incomplete heap is never contiguous} */
    @Override
    public boolean isContiguous() {
        return false;
    }

    /** {@return the heap length from HEAP_LENGTH, or -1 if no packet carried it} */
    public long heapLength() {
        return heapLength;
    }

    /** {@return payload bytes received} */
    public long receivedLength() {
        return receivedLength;
    }

    /**
     * The received payload ranges, only when the stream keeps them ({@code incompleteKeepPayloadRanges});
     * otherwise empty. In in-order mode this is {@code [0, receivedLength)} (or nothing if no payload came).
     *
     * @return sorted, disjoint, merged ranges
     */
    public List<PayloadRange> payloadRanges() {
        return payloadRanges;
    }
}
