package io.spead4j.flink;

import io.spead4j.send.Heap;
import java.io.Serializable;

/**
 * Turns a record into a SPEAD heap for {@link SpeadSink}. The heap is sent before the next record is
 * encoded, so it may reference memory the encoder reuses.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface HeapEncoder<T> extends Serializable {
    /**
     * Encodes a record.
     *
     * @param record the record
     * @return the heap to send
     */
    Heap encode(T record);

    /**
     * Picks the substream (the index of the sink's endpoint) a record goes to.
     *
     * @param record the record
     * @param substreams the number of endpoints
     * @return the index, {@code 0 .. substreams - 1} (default 0)
     */
    default int substream(T record, int substreams) {
        return 0;
    }

    /**
     * Re-encodes {@link SpeadHeapRecord}s: each item as it was received (immediates as immediates, others
     * addressed), sent to substream 0.
     *
     * @return the encoder
     */
    static HeapEncoder<SpeadHeapRecord> heapRecords() {
        return record -> {
            Heap heap = new Heap();
            for (int i = 0; i < record.ids.length; i++) {
                if (record.immediate[i]) {
                    heap.addItem(record.ids[i], SpeadHeapRecord.bigEndian(record.values[i], record.ids[i]));
                } else {
                    heap.addItem(record.ids[i], record.values[i], false);
                }
            }
            return heap;
        };
    }
}
