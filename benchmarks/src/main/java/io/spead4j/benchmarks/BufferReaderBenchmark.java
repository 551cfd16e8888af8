package io.spead4j.benchmarks;

import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.MemcpyFunction;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.BytesStream;
import io.spead4j.send.Heap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * spead2_bench mem's workload: about 1 GiB of heaps (one 4 MiB item each, plus an end heap) serialised into
 * 9000-byte packets, decoded from memory by a buffer reader into a fresh ring stream with spead2_bench's
 * memory pool, heaps counted and released, payload copied with each {@link MemcpyFunction}. One operation = one
 * pass over the 1 GiB; Gb/s = 8 × bytes / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx6g", "-Xms6g", "--enable-native-access=ALL-UNNAMED"})
public class BufferReaderBenchmark {
    /** Bytes per heap item. */
    @Param({"4194304"})
    public int heapSize;

    /** Maximum packet size of the sender. */
    @Param({"9000"})
    public int packetSize;

    /** The receive stream's payload copy ({@link MemcpyFunction} name). */
    @Param({"STD", "NONTEMPORAL"})
    public String memcpy;

    /**
     * {@code none}, or {@code jfr}: a JFR recording of every spead4j event (through a {@code RecordingStream},
     * the periodic one each second) runs during the trial; compare the two to see what monitoring costs.
     */
    @Param({"none", "jfr"})
    public String monitoring;

    private jdk.jfr.consumer.RecordingStream recording;
    private byte[] data;
    private int heaps;
    private ThreadPool pool;
    private StreamConfig config;

    /** Serialises the heaps once. @throws IOException never (bytes stream) */
    @Setup
    public void setUp() throws IOException {
        pool = new ThreadPool(1);
        heaps = (1 << 30) / heapSize;
        byte[] payload = new byte[heapSize];
        io.spead4j.send.StreamConfig sendConfig = new io.spead4j.send.StreamConfig().withMaxPacketSize(packetSize);
        try (BytesStream out = new BytesStream(pool, sendConfig)) {
            for (int i = 0; i < heaps; i++) {
                out.sendHeap(new Heap().addItem(0x1234, payload, false));
            }
            out.sendHeap(new Heap().addEnd());
            data = out.getValue();
        }
        if (monitoring.equals("jfr")) {
            recording = new jdk.jfr.consumer.RecordingStream();
            for (String event : List.of("io.spead4j.recv.HeapIncomplete", "io.spead4j.recv.PacketsRejected",
                    "io.spead4j.recv.RingFull", "io.spead4j.MemoryPoolEmpty", "io.spead4j.recv.ReaderFailed")) {
                recording.enable(event);
            }
            recording.startAsync();
        }
        config = new StreamConfig().withMemoryAllocator(new MemoryPool(heapSize, heapSize + 1024L, 12, 8))
                .withMemcpy(MemcpyFunction.valueOf(memcpy));
    }

    /** Closes the pool. */
    @TearDown
    public void tearDown() {
        if (recording != null) {
            recording.close();
        }
        pool.close();
        System.out.printf("%n[buffer reader] %d bytes per pass (%d heaps of %d bytes in %d-byte packets)%n",
                data.length, heaps, heapSize, packetSize);
    }

    /** @return contiguous heaps received (must equal the heaps sent) */
    @Benchmark
    public int decodeOneGibibyte() {
        int received = 0;
        try (Stream stream = new Stream(pool, config, new RingStreamConfig())) {
            stream.addBufferReader(data);
            for (HeapBase h : stream) {
                if (h instanceof io.spead4j.recv.Heap heap) {
                    received++;
                    heap.release();
                }
            }
        }
        if (received != heaps) {
            throw new IllegalStateException("received " + received + " of " + heaps + " heaps");
        }
        return received;
    }
}
