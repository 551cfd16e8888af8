package io.spead4j.benchmarks;

import io.spead4j.InprocQueue;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;

/**
 * The in-process transport end to end: heaps sent through {@link InprocStream} into an {@link InprocQueue}
 * while a receive stream reads the queue on another thread (memory pool, heaps released). One operation = one
 * heap received complete, so the score is heaps/s; Gb/s = heaps/s × 8 × heapSize / 1e9. Run with
 * {@code -prof gc} to see bytes allocated per heap: the packet buffers the queue owns (one array per packet)
 * plus a per-heap constant.
 *
 * <p>With {@code monitoring=gauges} a thread reads the statistics, drop reasons and ring and pool gauges every
 * 100 ms; with {@code monitoring=all} every spead4j JFR event is recorded as well (the periodic one each
 * second) through a {@code RecordingStream}; compare the scores with {@code none} to see what monitoring costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx4g", "-Xms4g"})
public class InprocBenchmark {
    private static final int BATCH = 64;

    /** heapSize:packetSize pairs of the three workloads. */
    @Param({"4194304:9000", "4194304:1472", "8192:9000"})
    public String shape;

    /**
     * How the receiver is monitored: {@code none}; {@code gauges}: statistics, drop reasons and ring and pool
     * gauges read every 100 ms; {@code all}: the gauges and a JFR recording of spead4j's events.
     */
    @Param({"none", "gauges", "all"})
    public String monitoring;

    private ThreadPool pool;
    private InprocQueue queue;
    private InprocStream sender;
    private Stream receiver;
    private Thread consumer;
    private final Semaphore received = new Semaphore(0);
    private Heap heap;
    private final ArrayDeque<CompletableFuture<Long>> inFlight = new ArrayDeque<>();
    private jdk.jfr.consumer.RecordingStream recording;
    private Thread monitor;

    /** Starts the sender, the receiver and its consumer thread. */
    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(":");
        int heapSize = Integer.parseInt(parts[0]);
        int packetSize = Integer.parseInt(parts[1]);
        pool = new ThreadPool(2);
        queue = new InprocQueue();
        sender = new InprocStream(pool, List.of(queue),
                new io.spead4j.send.StreamConfig().withMaxPacketSize(packetSize).withMaxHeaps(8));
        MemoryPool memoryPool = new MemoryPool(heapSize, heapSize + 1024L, 16, 16);
        StreamConfig config = new StreamConfig().withMaxHeaps(4).withMemoryAllocator(memoryPool);
        receiver = new Stream(pool, config, new RingStreamConfig(16, true, false));
        receiver.addInprocReader(queue);
        heap = new Heap().addItem(0x1234, new byte[heapSize], false);
        consumer = new Thread(() -> {
            for (HeapBase h : receiver) {
                if (h instanceof io.spead4j.recv.Heap complete) {
                    complete.release();
                    received.release();
                }
            }
        }, "inproc-bench-consumer");
        consumer.setDaemon(true);
        consumer.start();
        if (!monitoring.equals("none")) {
            startMonitoring(memoryPool, monitoring.equals("all"));
        }
    }

    private void startMonitoring(MemoryPool memoryPool, boolean jfr) {
        if (jfr) {
            recording = new jdk.jfr.consumer.RecordingStream();
            for (String event : List.of("io.spead4j.recv.HeapIncomplete", "io.spead4j.recv.PacketsRejected",
                    "io.spead4j.recv.RingFull", "io.spead4j.MemoryPoolEmpty", "io.spead4j.recv.ReaderFailed")) {
                recording.enable(event);
            }
            recording.startAsync();
        }
        monitor = Thread.ofPlatform().daemon().name("inproc-bench-monitor").start(() -> {
            long sum = 0;
            while (!Thread.currentThread().isInterrupted()) {
                sum += receiver.getStats().asMap().get("packets") + receiver.getDrops().total()
                        + receiver.ringbuffer().size() + memoryPool.freeCount() + memoryPool.emptyCount();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (sum == Long.MIN_VALUE) {
                System.out.println(sum);
            }
        });
    }

    /** Stops everything. @throws InterruptedException if interrupted */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        sender.close();
        queue.stop();
        consumer.join(10_000);
        receiver.close();
        pool.close();
        if (monitor != null) {
            monitor.interrupt();
            monitor.join();
        }
        if (recording != null) {
            recording.close();
        }
    }

    /** @return heaps in flight at the end (0) @throws InterruptedException if interrupted */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sendAndReceive() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            if (inFlight.size() >= 8) {
                inFlight.poll().join();
            }
            inFlight.add(sender.sendHeapAsync(heap));
        }
        while (!inFlight.isEmpty()) {
            inFlight.poll().join();
        }
        received.acquire(BATCH); // blocks: a spinning wait would steal a core from the sender or receiver
        return inFlight.size();
    }
}
