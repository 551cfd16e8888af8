package io.spead4j.recv;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A stream without readers driven synchronously by the test thread through the reader SPI (begin batch /
 * add packet / end batch), recording every heap the packet step hands over. Exceptions from the packet step
 * reach the test.
 */
final class RecordingStream extends StreamBase {
    final List<HeapBase> heaps = new ArrayList<>();
    private final Batch batch = new Batch();

    RecordingStream(StreamConfig config) {
        super(null, config);
    }

    @Override
    void liveHeapReady(LiveHeap heap) {
        int bugCompat = config().bugCompat();
        if (heap.isContiguous()) {
            heaps.add(Heap.freeze(heap, bugCompat));
        } else {
            heaps.add(new IncompleteHeap(heap, bugCompat, true));
            heap.release();
        }
    }

    /** Offers packets as one batch, each required to decode exactly; stops early on a stop. */
    RecordingStream batch(byte[]... packets) {
        Batch b = beginBatch(batch);
        try {
            for (byte[] p : packets) {
                if (b.isStopped()) {
                    break;
                }
                addPacket(b, MemorySegment.ofArray(p), 0, p.length, true);
            }
        } finally {
            endBatch(b);
        }
        return this;
    }

    /** Offers packets one per batch. */
    RecordingStream each(byte[]... packets) {
        for (byte[] p : packets) {
            batch(p);
        }
        return this;
    }

    /** Ends the source in a batch of its own (like a drained inproc queue). */
    RecordingStream endOfSource() {
        Batch b = beginBatch(batch);
        try {
            b.stop();
        } finally {
            endBatch(b);
        }
        return this;
    }

    /** Feeds a buffer like the buffer reader does (back to back, one batch, then stop). */
    RecordingStream buffer(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        Batch b = beginBatch(batch);
        try {
            long pos = 0;
            while (pos < data.length && !b.isStopped()) {
                long size = addPacket(b, seg, pos, data.length - pos, false);
                if (size == 0) {
                    break;
                }
                pos += size;
            }
            b.stop();
        } finally {
            endBatch(b);
        }
        return this;
    }

    List<Long> cnts() {
        return heaps.stream().map(HeapBase::cnt).toList();
    }

    List<Boolean> contiguous() {
        return heaps.stream().map(HeapBase::isContiguous).toList();
    }
}
