package io.spead4j.benchmarks;

import io.spead4j.Flavour;
import io.spead4j.InprocQueue;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Chunk;
import io.spead4j.recv.ChunkRingStream;
import io.spead4j.recv.ChunkRingbuffer;
import io.spead4j.recv.ChunkStreamConfig;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;
import io.spead4j.recv.TimestampPlacer;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import io.spead4j.send.UdpStream;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chunk stream against the ring stream in steady state on the MeerKAT F-engine shape: SPEAD-64-48,
 * 128 KiB heaps of 8264-byte packets (8192 bytes of payload, every item pointer repeated), timestamp, feng_id
 * and frequency immediates, the timestamp stepping by {@value #STEP} per heap. One sender (send.InprocStream
 * into an {@link InprocQueue}, or send.UdpStream to 127.0.0.1 on the native path by default) feeds one
 * receiving stream that lives for the whole trial: a {@link ChunkRingStream} placing 4 heaps a chunk by
 * {@link TimestampPlacer} (8 chunks cycling between the data and free rings, 2 open at once), or a ring
 * {@link Stream} with a memory pool (heaps released at once). A credit window of {@value #WINDOW} heaps keeps
 * the sender from outrunning the receiver (and UDP from losing in the kernel).
 *
 * <p>One operation = one heap (batches of {@value #BATCH}), so the score is heaps/s and Gb/s = heaps/s x 8 x
 * 131072 / 1e9. With {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes allocated per heap by every
 * thread, the sender's included (send.Stream allocates a future and a packet generator per heap, and an
 * InprocQueue copies every packet into arrays it allocates: about 128 KiB per heap). The receiving side alone
 * (its reader thread and the consumer thread) is measured per iteration with the threads' allocation counters
 * and printed as {@code [receiver] N bytes per heap}: 0 for the chunk stream once compiled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "-Xms2g", "--enable-native-access=ALL-UNNAMED"})
public class ChunkStreamBenchmark {
    private static final long TIMESTAMP_ID = 0x1600;
    private static final long FENG_ID = 0x4101;
    private static final long FREQUENCY_ID = 0x4103;
    private static final long RAW_ID = 0x4300;
    private static final int HEAP_SIZE = 128 * 1024;
    private static final int PACKET_SIZE = 8264;
    /** ADC samples per heap: 2 x 4096 channels x 256 spectra. */
    private static final long STEP = 2L * 4096 * 256;
    private static final int HEAPS_PER_CHUNK = 4;
    private static final int CHUNKS = 8;
    private static final int WINDOW = 32;
    private static final int SEND_SLOTS = 8;
    private static final int BATCH = 64;
    private static final long TIMEOUT_SECONDS = 10;

    /** {@code inproc} (InprocStream + InprocQueue) or {@code udp} (loopback). */
    @Param({"inproc", "udp"})
    public String transport;

    /** {@code chunk} (ChunkRingStream) or {@code ring} (ring Stream). */
    @Param({"chunk", "ring"})
    public String stream;

    private ThreadPool recvPool;
    private ThreadPool sendPool;
    private Arena arena;
    private InprocQueue queue;
    private io.spead4j.send.Stream sender;
    private StreamBase receiver;
    private Thread consumer;
    private final Semaphore credit = new Semaphore(WINDOW);
    private final AtomicLong received = new AtomicLong();
    private final Heap[] heaps = new Heap[SEND_SLOTS];
    private final MemorySegment[] timestamps = new MemorySegment[SEND_SLOTS];
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Long>[] pending = (CompletableFuture<Long>[]) new CompletableFuture<?>[SEND_SLOTS];
    private long sent;
    private long[] receiverThreads;
    private long receiverBytesBefore;
    private long receivedBefore;

    /** Starts the receiving stream, its consumer and the sender. @throws Exception on a socket failure */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        recvPool = new ThreadPool(1);
        sendPool = new ThreadPool(1);
        arena = Arena.ofShared();
        long readerThread = threadOf(recvPool);
        if (stream.equals("chunk")) {
            receiver = chunkReceiver();
        } else if (stream.equals("ring")) {
            receiver = ringReceiver();
        } else {
            throw new IllegalArgumentException("stream must be chunk or ring, got " + stream);
        }
        receiverThreads = new long[] {readerThread, consumer.threadId()};
        io.spead4j.send.StreamConfig sendConfig = new io.spead4j.send.StreamConfig().withMaxPacketSize(PACKET_SIZE)
                .withMaxHeaps(SEND_SLOTS);
        if (transport.equals("inproc")) {
            queue = new InprocQueue();
            receiver.addInprocReader(queue);
            sender = new InprocStream(sendPool, List.of(queue), sendConfig);
        } else if (transport.equals("udp")) {
            receiver.addUdpReader(0, 9200, StreamBase.DEFAULT_UDP_BUFFER_SIZE, "127.0.0.1");
            InetSocketAddress to = receiver.localAddresses().getLast();
            sender = new UdpStream(sendPool, List.of(to), sendConfig);
        } else {
            throw new IllegalArgumentException("transport must be inproc or udp, got " + transport);
        }
        MemorySegment payload = arena.allocate(HEAP_SIZE, 64);
        for (int i = 0; i < SEND_SLOTS; i++) {
            // a 6-byte item sent as an immediate, read when the packets are generated: rewritten before each send
            timestamps[i] = arena.allocate(6);
            heaps[i] = new Heap(new Flavour(48, 0)).repeatPointers(true)
                    .addItem(TIMESTAMP_ID, timestamps[i], true).addItem(FENG_ID, 0).addItem(FREQUENCY_ID, 1024)
                    .addItem(RAW_ID, payload, false);
        }
    }

    private static long threadOf(ThreadPool pool) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        long[] id = new long[1];
        pool.execute(() -> {
            id[0] = Thread.currentThread().threadId();
            done.countDown();
        });
        done.await();
        return id[0];
    }

    private StreamBase chunkReceiver() {
        TimestampPlacer placer = new TimestampPlacer(TIMESTAMP_ID, STEP, HEAPS_PER_CHUNK, HEAP_SIZE);
        ChunkRingbuffer dataRing = new ChunkRingbuffer(CHUNKS);
        ChunkRingbuffer freeRing = new ChunkRingbuffer(CHUNKS);
        ChunkRingStream rx = new ChunkRingStream(recvPool, new StreamConfig(),
                placer.configure(new ChunkStreamConfig().withMaxChunks(2)), dataRing, freeRing);
        for (int i = 0; i < CHUNKS; i++) {
            rx.addFreeChunk(placer.newChunk(arena));
        }
        consumer = Thread.ofPlatform().daemon().name("chunk-bench-consumer").start(() -> {
            for (Chunk chunk : dataRing) {
                received.addAndGet(chunk.presentCount());
                rx.addFreeChunk(chunk);
                credit.release(HEAPS_PER_CHUNK); // every slot, present or lost, so a loss cannot stall the sender
            }
        });
        return rx;
    }

    private StreamBase ringReceiver() {
        StreamConfig config = new StreamConfig()
                .withMemoryAllocator(new MemoryPool(HEAP_SIZE, HEAP_SIZE + 1024L, 16, 8));
        Stream rx = new Stream(recvPool, config, new RingStreamConfig().withHeaps(8));
        consumer = Thread.ofPlatform().daemon().name("ring-bench-consumer").start(() -> {
            for (HeapBase h : rx) {
                if (h instanceof io.spead4j.recv.Heap heap) {
                    received.incrementAndGet();
                    heap.release();
                }
                credit.release(); // incomplete heaps too, so a loss cannot stall the sender
            }
        });
        return rx;
    }

    /** Starts counting the receiving side's allocations. */
    @Setup(Level.Iteration)
    public void startIteration() {
        receiverBytesBefore = receiverBytes();
        receivedBefore = received.get();
    }

    /** Prints the receiving side's bytes allocated per heap received in the iteration. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        long bytes = receiverBytes() - receiverBytesBefore;
        long heapsReceived = received.get() - receivedBefore;
        System.out.printf(Locale.ROOT, "%n[receiver] %.1f bytes per heap (%d heaps)%n",
                heapsReceived == 0 ? Double.NaN : (double) bytes / heapsReceived, heapsReceived);
    }

    private long receiverBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(receiverThreads)) {
            total += Math.max(0, bytes);
        }
        return total;
    }

    /** Stops everything and prints the heaps lost. @throws InterruptedException if interrupted */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        for (CompletableFuture<Long> f : pending) {
            if (f != null) {
                f.join();
            }
        }
        sender.close();
        if (queue != null) {
            queue.stop();
        } else {
            Thread.sleep(200); // lets the receiver drain its socket before the stop
        }
        receiver.stop();
        consumer.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        receiver.close();
        sendPool.close();
        recvPool.close();
        arena.close();
        System.out.printf(Locale.ROOT, "%n[%s %s] heaps sent %d, received complete %d%n", transport, stream, sent,
                received.get());
    }

    /**
     * Sends a batch of heaps, each when the window has room.
     *
     * @return the heaps sent so far
     * @throws Exception if the receiver stalls for 10 s (heaps lost beyond the window) or a send failed
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long heaps() throws Exception {
        for (int i = 0; i < BATCH; i++) {
            if (!credit.tryAcquire(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new TimeoutException("receiver stalled: " + received.get() + " of " + sent + " heaps");
            }
            int slot = (int) (sent % SEND_SLOTS);
            if (pending[slot] != null) {
                pending[slot].join();
            }
            long timestamp = sent * STEP;
            timestamps[slot].set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0,
                    (short) (timestamp >>> 32));
            timestamps[slot].set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (int) timestamp);
            pending[slot] = sender.sendHeapAsync(heaps[slot]);
            sent++;
        }
        return sent;
    }
}
