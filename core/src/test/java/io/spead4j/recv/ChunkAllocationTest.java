package io.spead4j.recv;

import io.spead4j.testing.TestPools;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunk stream's packet path allocates nothing per packet and nothing per heap in steady state: heaps
 * of 40 packets are placed into chunks (chunks cycling between the data and free rings on the same thread;
 * live heaps and placements reused), and once compiled the thread allocates less than 8 bytes per heap; the
 * same with monitoring on (every spead4j JFR event recorded, statistics and drop reasons read meanwhile).
 */
class ChunkAllocationTest {
    private static final int PACKETS_PER_HEAP = 40;
    private static final int PAYLOAD = 64;
    private static final int HEAP_SIZE = PACKETS_PER_HEAP * PAYLOAD;
    private static final int HEAPS_PER_CHUNK = 8;
    private static final int HEAPS = 2_000;

    @ParameterizedTest(name = "monitoring {0}")
    @ValueSource(booleans = {false, true})
    void placingPacketsIntoChunksAllocatesNothingPerPacket(boolean monitoring) {
        jdk.jfr.consumer.RecordingStream recording = null;
        if (monitoring) {
            recording = new jdk.jfr.consumer.RecordingStream();
            for (String event : java.util.List.of("io.spead4j.recv.HeapIncomplete", "io.spead4j.recv.PacketsRejected",
                    "io.spead4j.recv.RingFull", "io.spead4j.MemoryPoolEmpty", "io.spead4j.recv.ReaderFailed")) {
                recording.enable(event).withPeriod(java.time.Duration.ofMillis(10)).withoutThreshold();
            }
            recording.startAsync();
        }
        try {
            placeAndMeasure(monitoring);
        } finally {
            if (recording != null) {
                recording.close();
            }
        }
    }

    private static void placeAndMeasure(boolean monitoring) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        TimestampPlacer placer = new TimestampPlacer(0x1600, 1, HEAPS_PER_CHUNK, HEAP_SIZE);
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        ChunkRingbuffer free = new ChunkRingbuffer(4);
        try (Arena arena = Arena.ofConfined();
             ChunkRingStream stream = new ChunkRingStream(TestPools.shared(), new StreamConfig(),
                     placer.configure(new ChunkStreamConfig().withMaxChunks(2)), data, free)) {
            for (int i = 0; i < 4; i++) {
                stream.addFreeChunk(placer.newChunk(arena));
            }
            int packetSize = 8 + 8 * 6 + PAYLOAD;
            MemorySegment packets = arena.allocate((long) HEAPS * PACKETS_PER_HEAP * packetSize);
            long offset = 0;
            for (int heap = 0; heap < HEAPS; heap++) {
                for (int p = 0; p < PACKETS_PER_HEAP; p++) {
                    byte[] packet = TestPackets.packet(heap + 1).heapLength(HEAP_SIZE).offset((long) p * PAYLOAD)
                            .immediate(0x1600, heap).address(0x1000, 0).payload(PAYLOAD, heap + p).build();
                    assertThat(packet.length).isEqualTo(packetSize);
                    MemorySegment.copy(MemorySegment.ofArray(packet), 0, packets, offset, packetSize);
                    offset += packetSize;
                }
            }
            Batch batch = new Batch();
            Thread monitor = !monitoring ? null : Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    if (stream.getStats().asMap().get("heaps") < 0 || stream.getDrops().total() < 0) {
                        throw new AssertionError("negative counts");
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            feed(stream, batch, packets, packetSize, 0, HEAPS / 2, data); // warm up: JIT
            long before = threads.getThreadAllocatedBytes(thread);
            feed(stream, batch, packets, packetSize, HEAPS / 2, HEAPS, data);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (monitor != null) {
                monitor.interrupt();
            }
            long heaps = HEAPS / 2;
            assertThat(allocated).as("bytes allocated placing %d heaps of %d packets", heaps, PACKETS_PER_HEAP)
                    .isLessThan(heaps * 8); // any object per heap takes at least 16 bytes
            assertThat(stream.getStats().heaps()).isEqualTo(HEAPS);
            assertThat(stream.getStats().get("rejected_heaps")).isZero();
        }
    }

    /** Feeds heaps [from, to) one batch per heap, and gives every delivered chunk back (checked) at once. */
    private static void feed(ChunkRingStream stream, Batch batch, MemorySegment packets, int packetSize, int from,
                             int to, ChunkRingbuffer data) {
        for (int heap = from; heap < to; heap++) {
            Batch b = stream.beginBatch(batch);
            try {
                for (int p = 0; p < PACKETS_PER_HEAP; p++) {
                    long offset = ((long) heap * PACKETS_PER_HEAP + p) * packetSize;
                    stream.addPacket(b, packets, offset, packetSize, true);
                }
            } finally {
                stream.endBatch(b);
            }
            Chunk chunk;
            while ((chunk = data.tryGet()) != null) {
                if (!chunk.isPresent(0) || !chunk.isPresent(HEAPS_PER_CHUNK - 1)) {
                    throw new AssertionError("chunk " + chunk.chunkId() + " is missing heaps");
                }
                stream.addFreeChunk(chunk);
            }
        }
    }
}
