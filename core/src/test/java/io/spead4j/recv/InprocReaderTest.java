package io.spead4j.recv;

import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.spead4j.recv.TestPackets.concat;
import static io.spead4j.recv.TestPackets.packet;
import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;

/** The in-process queue reader on real {@link InprocQueue}s (SPEAD2-BEHAVIOUR.md §6). */
class InprocReaderTest {
    private static final ThreadPool pool = TestPools.shared();

    private static List<HeapBase> drain(Stream stream) {
        return Drain.heaps(stream);
    }

    @Test
    void dataSentBeforeTheStreamExistsIsDeliveredAndAStoppedQueueStopsTheStream() {
        InprocQueue queue = new InprocQueue();
        for (int i = 1; i <= 10; i++) {
            queue.addPacket(singleHeap(i, i));
        }
        queue.stop();
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addInprocReader(queue);
            List<HeapBase> heaps = drain(stream);
            assertThat(heaps).extracting(HeapBase::cnt).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(heaps.get(4).items().getFirst().bytes()).startsWith(5, 6, 7);
            StreamStats st = stream.getStats();
            assertThat(st.packets()).isEqualTo(10);
            assertThat(st.batches()).isEqualTo(10); // one packet per batch; the final empty stop batch is not counted
            assertThat(st.maxBatch()).isEqualTo(1);
        }
    }

    @Test
    void multiPacketHeapsAreReassembled() {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(packet(1).heapLength(200).address(0x1000, 0).payload(100, 0).build());
        queue.addPacket(packet(1).heapLength(200).offset(100).payload(100, 100).build());
        queue.addPacket(stopHeap(2));
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addInprocReader(queue);
            List<HeapBase> heaps = drain(stream);
            assertThat(heaps).hasSize(1);
            byte[] bytes = heaps.getFirst().items().getFirst().bytes();
            assertThat(bytes).hasSize(200);
            assertThat(bytes[199]).isEqualTo((byte) 199);
        }
    }

    @Test
    void twoReceiversOnOneQueueLoseNoSinglePacketHeap() throws Exception {
        InprocQueue queue = new InprocQueue();
        int n = 300;
        RingStreamConfig ring = new RingStreamConfig(n + 1, true, false);
        try (Stream a = new Stream(pool, new StreamConfig(), ring); Stream b = new Stream(pool, new StreamConfig(), ring)) {
            a.addInprocReader(queue);
            b.addInprocReader(queue);
            for (int i = 1; i <= n; i++) {
                queue.addPacket(singleHeap(i, 4));
            }
            queue.stop();
            a.awaitStopped();
            b.awaitStopped();
            TreeSet<Long> cnts = new TreeSet<>();
            List<HeapBase> all = new ArrayList<>(drain(a));
            all.addAll(drain(b));
            for (HeapBase h : all) {
                cnts.add(h.cnt());
            }
            assertThat(all).hasSize(n);
            assertThat(cnts).hasSize(n);
            assertThat(cnts.first()).isEqualTo(1L);
            assertThat(cnts.last()).isEqualTo((long) n);
            assertThat(a.getStats().packets() + b.getStats().packets()).isEqualTo(n);
        }
    }

    @Test
    void aPacketThatDoesNotDecodeToExactlyItsLengthIsDroppedAndNotCounted() {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(concat(singleHeap(1, 8), new byte[] {0}));
        queue.addPacket(new byte[] {0x53, 4});
        queue.addPacket(singleHeap(2, 8));
        queue.stop();
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addInprocReader(queue);
            assertThat(drain(stream)).extracting(HeapBase::cnt).containsExactly(2L);
            assertThat(stream.getStats().packets()).isEqualTo(1);
            assertThat(stream.getStats().batches()).isEqualTo(3);
        }
    }

    @Test
    void theFirstStoppedQueueStopsAStreamReadingSeveral() {
        InprocQueue open = new InprocQueue();
        InprocQueue stopped = new InprocQueue();
        stopped.stop();
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addInprocReader(open);
            stream.addInprocReader(stopped);
            assertThat(drain(stream)).isEmpty();
            assertThat(stream.isStopped()).isTrue();
        }
        open.stop();
    }

    @Test
    void userStopEndsAReaderBlockedOnAnEmptyQueue() throws Exception {
        InprocQueue queue = new InprocQueue();
        Stream stream = new Stream(pool, new StreamConfig());
        stream.addInprocReader(queue);
        stream.stop();
        assertThat(drain(stream)).isEmpty();
        assertThat(stream.awaitStopped(0, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        queue.stop();
    }
}
