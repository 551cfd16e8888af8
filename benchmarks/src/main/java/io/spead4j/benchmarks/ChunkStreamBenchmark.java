package io.spead4j.benchmarks;

import io.spead4j.Flavour;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Chunk;
import io.spead4j.recv.ChunkRingStream;
import io.spead4j.recv.ChunkRingbuffer;
import io.spead4j.recv.ChunkStreamConfig;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.recv.TimestampPlacer;
import io.spead4j.send.BytesStream;
import io.spead4j.send.Heap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The chunk stream against the ring stream on the MeerKAT F-engine shape (SPEAD-64-48, 128 KiB heaps of
 * int8 samples in 8192-byte payloads, every pointer repeated, timestamp / feng_id / frequency immediates):
 * 4 F-engines x 256 timestamps = 128 MiB of heaps decoded from memory by a buffer reader. The ring stream
 * freezes every heap (memory pool, released at once); the chunk stream places every heap into 8 MiB chunks
 * (16 timestamps x 4 F-engines) by {@link TimestampPlacer}, chunks cycling through the free ring. One
 * operation = one pass; Gb/s = 8 x 128 MiB / time, heaps/s = 1024 / time. Run with {@code -prof gc} for the
 * bytes allocated per pass (chunk stream: only the stream's and rings' construction, nothing per heap or
 * packet; ring stream: a heap object per heap).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx4g", "-Xms4g", "--enable-native-access=ALL-UNNAMED"})
public class ChunkStreamBenchmark {
    private static final long TIMESTAMP_ID = 0x1600;
    private static final long FENG_ID = 0x4101;
    private static final long FREQUENCY_ID = 0x4103;
    private static final long RAW_ID = 0x4300;
    private static final int FENGS = 4;
    private static final int TIMESTAMPS = 256;
    private static final int HEAP_SIZE = 128 * 256 * 2 * 2;
    private static final long STEP = 2L * 4096 * 256;
    private static final int HEAPS = FENGS * TIMESTAMPS;

    private byte[] data;
    private ThreadPool pool;
    private Arena arena;
    private TimestampPlacer placer;
    private final List<Chunk> chunks = new ArrayList<>();
    private StreamConfig ringConfig;

    /** Serialises the heaps once and allocates the chunks. @throws IOException never (bytes stream) */
    @Setup
    public void setUp() throws IOException {
        pool = new ThreadPool(1);
        byte[] raw = new byte[HEAP_SIZE];
        io.spead4j.send.StreamConfig sendConfig = new io.spead4j.send.StreamConfig().withMaxPacketSize(8264);
        try (BytesStream out = new BytesStream(pool, sendConfig)) {
            for (int t = 0; t < TIMESTAMPS; t++) {
                for (int feng = 0; feng < FENGS; feng++) {
                    out.sendHeap(new Heap(Flavour.of(48)).repeatPointers(true).addItem(TIMESTAMP_ID, t * STEP)
                            .addItem(FENG_ID, feng).addItem(FREQUENCY_ID, 1024).addItem(RAW_ID, raw, false));
                }
            }
            out.sendHeap(new Heap(Flavour.of(48)).addEnd());
            data = out.getValue();
        }
        placer = new TimestampPlacer(TIMESTAMP_ID, STEP, 16, HEAP_SIZE).withIndex(FENG_ID, FENGS);
        arena = Arena.ofShared();
        for (int i = 0; i < 4; i++) {
            chunks.add(placer.newChunk(arena));
        }
        ringConfig = new StreamConfig().withMemoryAllocator(new MemoryPool(HEAP_SIZE, HEAP_SIZE + 1024L, 12, 8));
    }

    /** Frees the chunks and closes the pool. */
    @TearDown
    public void tearDown() {
        arena.close();
        pool.close();
        System.out.printf("%n[chunk stream] %d bytes per pass (%d heaps of %d bytes)%n", data.length, HEAPS,
                HEAP_SIZE);
    }

    /** @return heaps received by the ring stream (must equal the heaps sent) */
    @Benchmark
    public int ringStream() {
        int received = 0;
        try (Stream stream = new Stream(pool, ringConfig, new RingStreamConfig())) {
            stream.addBufferReader(data);
            for (HeapBase h : stream) {
                if (h instanceof io.spead4j.recv.Heap heap) {
                    received++;
                    heap.release();
                }
            }
        }
        if (received != HEAPS) {
            throw new IllegalStateException("received " + received + " of " + HEAPS + " heaps");
        }
        return received;
    }

    /** @return heaps present in the chunks (must equal the heaps sent) */
    @Benchmark
    public int chunkStream() {
        ChunkRingbuffer dataRing = new ChunkRingbuffer(4);
        ChunkRingbuffer freeRing = new ChunkRingbuffer(4);
        int received = 0;
        try (ChunkRingStream stream = new ChunkRingStream(pool, new StreamConfig(),
                placer.configure(new ChunkStreamConfig().withMaxChunks(2)), dataRing, freeRing)) {
            for (Chunk chunk : chunks) {
                stream.addFreeChunk(chunk);
            }
            stream.addBufferReader(data);
            for (Chunk chunk : dataRing) {
                for (int i = 0; i < placer.presentSize(); i++) {
                    if (chunk.isPresent(i)) {
                        received++;
                    }
                }
                stream.addFreeChunk(chunk);
            }
        }
        if (received != HEAPS) {
            throw new IllegalStateException("received " + received + " of " + HEAPS + " heaps");
        }
        return received;
    }
}
