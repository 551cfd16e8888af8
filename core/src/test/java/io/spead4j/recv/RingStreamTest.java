package io.spead4j.recv;

import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import io.spead4j.InprocQueue;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.spead4j.recv.TestPackets.concat;
import static io.spead4j.recv.TestPackets.packet;
import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ring stream: delivery, ring semantics, stops, explicit start, readers after stop (§2.7, §3). */
class RingStreamTest {
    private static final ThreadPool pool = TestPools.shared();

    static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(1);
        }
    }

    private static byte[] first(long cnt) {
        return packet(cnt).heapLength(200).offset(0).address(0x1000, 0).payload(100, 1).build();
    }

    private static List<HeapBase> drain(Stream stream) {
        return Drain.heaps(stream);
    }

    @Test
    void bufferReaderDeliversHeapsThenStopsTheStream() {
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addBufferReader(concat(singleHeap(1, 10), singleHeap(2, 20), stopHeap(3), singleHeap(4, 1)));
            List<HeapBase> heaps = drain(stream);
            assertThat(heaps).extracting(HeapBase::cnt).containsExactly(1L, 2L);
            assertThat(heaps).allMatch(h -> h instanceof Heap);
            assertThat(stream.isStopped()).isTrue();
            assertThat(stream.getStats().packets()).isEqualTo(3);
            assertThat(stream.getStats().batches()).isEqualTo(1);
            assertThatThrownBy(stream::tryGet).isInstanceOf(StoppedException.class);
            assertThatThrownBy(stream::get).isInstanceOf(StoppedException.class);
        }
    }

    @Test
    void bufferReaderStopsAtTheFirstPacketThatFailsToDecode() {
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addBufferReader(concat(singleHeap(1, 10), new byte[] {0x53, 4, 3, 5}, singleHeap(2, 20)));
            assertThat(drain(stream)).extracting(HeapBase::cnt).containsExactly(1L);
            assertThat(stream.getStats().packets()).isEqualTo(1);
        }
    }

    @Test
    void dataStopFlushesIntoTheRingAndContiguousOnlyDropsIncompleteHeaps() {
        try (Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(4, false, false))) {
            stream.addBufferReader(first(1));
            List<HeapBase> heaps = drain(stream);
            assertThat(heaps).hasSize(1);
            IncompleteHeap h = (IncompleteHeap) heaps.getFirst();
            assertThat(h.receivedLength()).isEqualTo(100);
            assertThat(h.payloadRanges()).isEmpty(); // not kept without incompleteKeepPayloadRanges
        }
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addBufferReader(first(1));
            assertThat(drain(stream)).isEmpty();
            assertThat(stream.getStats().heaps()).isEqualTo(1);
            assertThat(stream.getStats().incompleteHeapsFlushed()).isEqualTo(1);
        }
    }

    @Test
    void userStopDropsFlushedHeapsButCountsThem() throws Exception {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(first(1));
        try (Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(4, false, true))) {
            stream.addInprocReader(queue);
            waitUntil(() -> stream.getStats().packets() == 1);
            stream.stop();
            stream.stop(); // idempotent
            assertThat(drain(stream)).isEmpty();
            assertThat(stream.getStats().heaps()).isEqualTo(1);
            assertThat(stream.getStats().incompleteHeapsFlushed()).isEqualTo(1);
        }
    }

    @Test
    void heapsAlreadyInTheRingStayRetrievableAfterUserStop() throws Exception {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(singleHeap(1, 8));
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addInprocReader(queue);
            waitUntil(() -> stream.getStats().heaps() == 1);
            stream.stop();
            assertThat(drain(stream)).extracting(HeapBase::cnt).containsExactly(1L);
        }
    }

    @Test
    void aFullRingCountsWorkerBlockedAndLosesNothing() throws Exception {
        byte[] data = concat(singleHeap(1, 8), singleHeap(2, 8), singleHeap(3, 8), stopHeap(4));
        try (Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(1, true, false))) {
            stream.addBufferReader(data);
            waitUntil(() -> stream.getStats().workerBlocked() == 1);
            assertThat(drain(stream)).extracting(HeapBase::cnt).containsExactly(1L, 2L, 3L);
            assertThat(stream.getStats().workerBlocked()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void tryGetReturnsNullWhileRunningAndEmpty() {
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            assertThat(stream.tryGet()).isNull();
            stream.stop();
            assertThatThrownBy(stream::tryGet).isInstanceOf(StoppedException.class);
        }
    }

    @Test
    void getAsyncCompletesWithAHeap() throws Exception {
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addBufferReader(singleHeap(9, 3));
            assertThat(stream.getAsync().get().cnt()).isEqualTo(9);
            assertThat(stream.getAsync()).failsWithin(java.time.Duration.ofMinutes(1))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(StoppedException.class);
        }
    }

    @Test
    void readersAddedAfterTheStreamStoppedAreIgnored() {
        try (Stream stream = new Stream(pool, new StreamConfig())) {
            stream.addBufferReader(stopHeap(1));
            assertThat(drain(stream)).isEmpty();
            stream.addBufferReader(singleHeap(2, 4));
            stream.addInprocReader(new InprocQueue());
            assertThat(drain(stream)).isEmpty();
            assertThat(stream.getStats().packets()).isEqualTo(1);
        }
    }

    @Test
    void explicitStartDefersReadersAndForbidsLaterOnes() {
        try (Stream stream = new Stream(pool, new StreamConfig().withExplicitStart(true))) {
            stream.addBufferReader(concat(singleHeap(1, 4), stopHeap(2)));
            assertThat(stream.getStats().packets()).isZero();
            assertThat(stream.tryGet()).isNull();
            stream.start();
            stream.start();
            assertThat(drain(stream)).extracting(HeapBase::cnt).containsExactly(1L);
            assertThatThrownBy(() -> stream.addBufferReader(singleHeap(3, 4)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void memoryPoolBuffersAreReusedAfterRelease() {
        MemoryPool memoryPool = new MemoryPool(16, 1024, 4, 2);
        try (Stream stream = new Stream(pool, new StreamConfig().withMemoryAllocator(memoryPool))) {
            stream.addBufferReader(concat(singleHeap(1, 100), singleHeap(2, 100), stopHeap(3)));
            List<HeapBase> heaps = drain(stream);
            assertThat(memoryPool.freeCount()).isZero();
            for (HeapBase h : heaps) {
                ((Heap) h).release();
            }
            assertThat(memoryPool.freeCount()).isEqualTo(2);
        }
    }

    @Test
    void callbackStreamSeesIncompleteHeapsAtEvictionAndFlush() throws Exception {
        List<String> events = new ArrayList<>();
        CallbackStream stream = new CallbackStream(pool, new StreamConfig().withMaxHeaps(1)) {
            @Override
            protected void heapReady(HeapBase heap) {
                events.add((heap.isContiguous() ? "heap " : "incomplete ") + heap.cnt());
            }
        };
        stream.addBufferReader(concat(first(1), singleHeap(2, 4), first(3)));
        stream.awaitStopped();
        assertThat(events).containsExactly("incomplete 1", "heap 2", "incomplete 3");
        assertThat(stream.getStats().incompleteHeapsEvicted()).isEqualTo(1);
        assertThat(stream.getStats().incompleteHeapsFlushed()).isEqualTo(1);
        stream.close();
    }
}
