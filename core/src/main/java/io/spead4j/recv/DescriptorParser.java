package io.spead4j.recv;

import io.spead4j.Descriptor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The private stream spead2 uses to decode descriptor items: in-order, max heaps 1, the outer heap's
 * bug-compat mask; each contiguous heap becomes a descriptor (dropped if its id is 0). Runs synchronously
 * on the caller's thread.
 */
final class DescriptorParser extends StreamBase {
    private final int bugCompat;
    private final Batch batch = new Batch();
    private final List<Descriptor> descriptors = new ArrayList<>();

    DescriptorParser(int bugCompat) {
        super(null, StreamConfig.DEFAULT.withBugCompat(bugCompat).withMaxHeaps(1));
        this.bugCompat = bugCompat;
    }

    /** Feeds one descriptor item's bytes (back-to-back packets), then flushes. */
    void parse(MemorySegment data) {
        Batch b = beginBatch(batch);
        try {
            long position = 0;
            long length = data.byteSize();
            while (position < length && !b.isStopped()) {
                long size = addPacket(b, data, position, length - position, false);
                if (size == 0) {
                    break;
                }
                position += size;
            }
        } finally {
            endBatch(b);
        }
        flush();
    }

    List<Descriptor> descriptors() {
        return List.copyOf(descriptors);
    }

    @Override
    void liveHeapReady(LiveHeap heap) {
        if (heap.isContiguous()) {
            Descriptor d = Heap.freeze(heap, bugCompat).toDescriptor();
            if (d.id() != 0) {
                descriptors.add(d);
            }
        } else {
            heap.release();
        }
    }
}
