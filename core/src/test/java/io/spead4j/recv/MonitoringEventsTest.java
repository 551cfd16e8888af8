package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.MemoryAllocator;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.testing.TestPools;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.spead4j.recv.TestPackets.packet;
import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * spead4j's Java Flight Recorder events are recorded and read back with a {@link jdk.jfr.consumer.RecordingStream}:
 * heaps evicted and flushed incomplete, packets rejected (per period), a full ring, an empty memory pool and a
 * reader stopped by an error, each with the stream it came from.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitoringEventsTest {
    private static final ThreadPool pool = TestPools.shared();
    private static final String HEAP_INCOMPLETE = "io.spead4j.recv.HeapIncomplete";
    private static final String REJECTED = "io.spead4j.recv.PacketsRejected";
    private static final String RING_FULL = "io.spead4j.recv.RingFull";
    private static final String POOL_EMPTY = "io.spead4j.MemoryPoolEmpty";
    private static final String READER_FAILED = "io.spead4j.recv.ReaderFailed";

    private static byte[] first(long cnt) {
        return packet(cnt).heapLength(200).offset(0).address(0x1000, 0).payload(100, 1).build();
    }

    private static List<RecordedEvent> of(List<RecordedEvent> events, String type, String stream) {
        return events.stream().filter(e -> e.getEventType().getName().equals(type))
                .filter(e -> stream == null || stream.equals(e.getString("stream"))).toList();
    }

    @Test
    void eventsAreRecordedAndReadBack() throws Exception {
        List<RecordedEvent> events = new CopyOnWriteArrayList<>();
        try (jdk.jfr.consumer.RecordingStream recording = new jdk.jfr.consumer.RecordingStream()) {
            recording.enable(HEAP_INCOMPLETE);
            recording.enable(REJECTED).withPeriod(Duration.ofMillis(100));
            recording.enable(RING_FULL).withoutThreshold();
            recording.enable(POOL_EMPTY);
            recording.enable(READER_FAILED);
            recording.onEvent(e -> {
                if (e.getEventType().getName().startsWith("io.spead4j.")) {
                    events.add(e);
                }
            });
            recording.startAsync();

            // evicted (heap 1 by heap 2), flushed (heap 3 at the end of the source), one bad packet
            byte[] garbage = new byte[24];
            Arrays.fill(garbage, (byte) 0x41);
            RecordingStream packets = new RecordingStream(new StreamConfig().withMaxHeaps(1));
            packets.batch(first(1), singleHeap(2, 10), garbage, first(3)).endOfSource();

            // a full ring: a ring of one heap and two heaps before the consumer takes any
            InprocQueue queue = new InprocQueue();
            queue.addPacket(singleHeap(1, 10));
            queue.addPacket(singleHeap(2, 10));
            queue.addPacket(stopHeap(3));
            String ringName;
            try (Stream ring = new Stream(pool, new StreamConfig(), new RingStreamConfig().withHeaps(1))) {
                ringName = ring.name();
                ring.addInprocReader(queue);
                while (ring.getDrops().get(DropReason.RING_FULL) == 0) {
                    Thread.sleep(1);
                }
                for (HeapBase heap : ring) {
                    ((Heap) heap).release();
                }
            }

            // an empty pool
            MemoryPool empty = new MemoryPool(0, 100, 1, 0);
            empty.setWarnOnEmpty(false);
            empty.free(empty.allocate(10));

            // a reader stopped by an allocator that fails
            MemoryAllocator failing = new MemoryAllocator() {
                @Override
                public MemorySegment allocate(long size) {
                    throw new TestAllocator.InjectedError("injected allocation failure");
                }

                @Override
                public void free(MemorySegment segment) {
                }
            };
            InprocQueue failQueue = new InprocQueue();
            failQueue.addPacket(singleHeap(1, 10));
            String failedName;
            try (Stream failed = new Stream(pool, new StreamConfig().withMemoryAllocator(failing))) {
                failedName = failed.name();
                failed.addInprocReader(failQueue);
                failed.awaitStopped();
            }

            String packetsName = packets.name();
            while (of(events, HEAP_INCOMPLETE, packetsName).size() < 2 || of(events, REJECTED, packetsName).isEmpty()
                    || of(events, RING_FULL, ringName).isEmpty() || of(events, POOL_EMPTY, null).isEmpty()
                    || of(events, READER_FAILED, failedName).isEmpty()) {
                Thread.sleep(20); // the test's timeout turns a missing event into a failure
            }
            List<RecordedEvent> incomplete = of(events, HEAP_INCOMPLETE, packetsName);
            assertThat(incomplete).hasSize(2);
            assertThat(incomplete.stream().map(e -> e.getString("cause") + " " + e.getLong("heapCnt") + " "
                    + e.getLong("receivedBytes") + "/" + e.getLong("heapLength")).collect(Collectors.toSet()))
                    .isEqualTo(Set.of("evicted 1 100/200", "flushed 3 100/200"));
            List<RecordedEvent> rejected = of(events, REJECTED, packetsName);
            // per period, only the reasons whose counts grew: bad header 1, evicted 1, flushed 1
            assertThat(rejected.stream().collect(Collectors.groupingBy(e -> e.getString("reason"),
                    Collectors.summingLong(e -> e.getLong("count")))))
                    .containsEntry("bad_header", 1L).containsEntry("evicted_incomplete", 1L)
                    .containsEntry("flushed_incomplete", 1L).hasSize(3);
            assertThat(of(events, RING_FULL, ringName)).hasSize(1).first()
                    .satisfies(e -> assertThat(e.getLong("capacity")).isEqualTo(1));
            assertThat(of(events, POOL_EMPTY, null)).anySatisfy(e -> {
                assertThat(e.getLong("requestedBytes")).isEqualTo(10);
                assertThat(e.getLong("bufferBytes")).isEqualTo(100);
            });
            assertThat(of(events, READER_FAILED, failedName)).hasSize(1).first()
                    .satisfies(e -> assertThat(e.getString("error")).contains("injected allocation failure"));
        }
    }
}
