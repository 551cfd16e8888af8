package io.spead4j.examples;

import io.spead4j.DType;
import io.spead4j.Format;
import io.spead4j.InprocQueue;
import io.spead4j.ItemGroup;
import io.spead4j.NdArray;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.send.InprocStream;
import io.spead4j.send.StreamConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Example: the in-process transport in a unit test. Code that sends or receives SPEAD can be tested without
 * sockets or ports: an {@link InprocQueue} carries the packets from an {@link InprocStream} to a receive
 * stream's in-process reader, reliably and in order, and the queue may be filled before the receiver exists.
 */
class InprocTransportExampleTest {
    /** The code under test: sends {@code count} heaps of a timestamp and a 2x3 matrix, then the end. */
    private static void produce(InprocStream stream, int count) throws Exception {
        var items = new io.spead4j.send.ItemGroup();
        items.addItem(0x1600L, "timestamp", "sync time", new long[0], Format.of('u', 40), 0L);
        items.addItem(0x1601L, "matrix", "a small matrix", new long[] {2, 3}, DType.parse("<i4"), NdArray.Order.C,
                null);
        for (int i = 0; i < count; i++) {
            items.get("timestamp").setValue(1000L * i);
            items.get("matrix").setValue(NdArray.ofLongs(DType.parse("<i4"), new long[] {2, 3},
                    i, i + 1, i + 2, i + 3, i + 4, i + 5));
            stream.sendHeap(items.getHeap());
        }
        stream.sendHeap(items.getEnd());
    }

    @Test
    void heapsSentThroughAnInprocQueueArriveWithTheirValues() throws Exception {
        try (ThreadPool pool = new ThreadPool()) {
            InprocQueue queue = new InprocQueue();
            try (InprocStream sender = new InprocStream(pool, List.of(queue), new StreamConfig())) {
                produce(sender, 3);
            }
            queue.stop();                                  // the receiver ends once it has read everything

            ItemGroup received = new ItemGroup();
            List<Long> timestamps = new ArrayList<>();
            List<Long> corners = new ArrayList<>();
            try (Stream stream = new Stream(pool)) {
                stream.addInprocReader(queue);
                for (HeapBase heap : stream) {              // ends at the end-of-stream heap
                    assertThat(heap).isInstanceOf(Heap.class);  // in-process, nothing is ever incomplete
                    received.update((Heap) heap);
                    timestamps.add(((Number) received.get("timestamp").value()).longValue());
                    corners.add(((NdArray) received.get("matrix").value()).getLong(1, 2));
                    ((Heap) heap).release();
                }
            }
            assertThat(timestamps).containsExactly(0L, 1000L, 2000L);
            assertThat(corners).containsExactly(5L, 6L, 7L);
            assertThat(received.get("matrix").shape()).containsExactly(2L, 3L);
        }
    }
}
