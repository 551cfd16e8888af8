package io.spead4j.tools;

import io.spead4j.Flavour;
import io.spead4j.InprocQueue;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Chunk;
import io.spead4j.recv.ChunkRingStream;
import io.spead4j.recv.ChunkRingbuffer;
import io.spead4j.recv.ChunkStreamConfig;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;
import io.spead4j.recv.StreamStats;
import io.spead4j.recv.TimestampPlacer;
import io.spead4j.send.InprocStream;
import io.spead4j.send.UdpStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code spead4j bench chunk}: the chunk stream (or, with {@code --ring}, the ring stream) receiving the MeerKAT
 * F-engine shape: SPEAD-64-48, 128 KiB heaps in 8264-byte packets (8192 bytes of payload, item pointers
 * repeated), timestamp / feng_id / frequency immediates, the timestamp stepping by 2 x 4096 x 256 per heap.
 * One sender sends N heaps over the in-process transport or UDP loopback, a credit window keeping it from
 * outrunning the receiver; the chunk stream places them by {@link TimestampPlacer} into chunks of
 * {@code --heaps-per-chunk} timestamps x {@code --fengs} F-engines. Prints heaps/s and Gb/s of payload and
 * fails (exit status 1) unless every heap arrived complete.
 */
@Command(name = "chunk", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send heaps of the MeerKAT F-engine shape (SPEAD-64-48, 128 KiB heaps, 8264-byte packets, "
                + "timestamp stepping by heap) and receive them with a chunk stream (or --ring: a ring stream); "
                + "print heaps/s and Gb/s.",
            "Fails (exit status 1) unless every heap arrived complete."})
final class BenchChunkCommand implements Callable<Integer> {
    /** MeerKAT's timestamp item. */
    static final long TIMESTAMP_ID = 0x1600;
    /** MeerKAT's F-engine id item. */
    static final long FENG_ID = 0x4101;
    /** MeerKAT's frequency (first channel) item. */
    static final long FREQUENCY_ID = 0x4103;
    /** MeerKAT's F-engine payload item. */
    static final long RAW_ID = 0x4300;
    /** Payload bytes of a heap: 256 spectra x 128 channels x 2 polarisations x 2 bytes (complex int8). */
    static final int HEAP_SIZE = 128 * 1024;
    /** Packet size: 8192 bytes of payload, 8 header bytes, 8 item pointers. */
    static final int PACKET_SIZE = 8264;
    /** Timestamp step per heap: ADC samples in 256 spectra of 4096 channels. */
    static final long TIMESTAMP_STEP = 2L * 4096 * 256;
    /** Heaps the sender may have queued at once. */
    private static final int SEND_SLOTS = 8;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--transport", paramLabel = "inproc|udp",
            description = "inproc (InprocStream into an InprocQueue) or udp (127.0.0.1; default ${DEFAULT-VALUE})")
    String transport = "inproc";

    @Option(names = "--ring", description = "Receive with a ring stream (memory pool) instead of a chunk stream")
    boolean ring;

    @Option(names = "--heaps", paramLabel = "N", description = "Heaps to send (default ${DEFAULT-VALUE})")
    long heaps = 16384;

    @Option(names = "--heaps-per-chunk", paramLabel = "N", description = "Timestamps per chunk (default ${DEFAULT-VALUE})")
    int heapsPerChunk = 4;

    @Option(names = "--fengs", paramLabel = "N",
            description = "F-engines: heaps of each timestamp, feng_id 0..N-1 (default ${DEFAULT-VALUE})")
    int fengs = 1;

    @Option(names = "--max-chunks", paramLabel = "N", description = "Chunks being filled at once (default ${DEFAULT-VALUE})")
    int maxChunks = 2;

    @Option(names = "--chunks", paramLabel = "N", description = "Chunks allocated (default: max-chunks + 6)")
    Integer chunks;

    @Option(names = "--window", paramLabel = "N",
            description = "Most heaps sent but not yet received (default: 32, or more to cover max-chunks + 2 chunks)")
    Integer window;

    @Option(names = "--rate", paramLabel = "GBPS",
            description = "Send rate limit in Gb/s, 0 for none (default ${DEFAULT-VALUE}). Over UDP, a window larger "
                    + "than the socket buffer (net.core.rmem_max) loses heaps in the kernel without one")
    double rate;

    @Option(names = "--quiet", description = "Print only heaps/s and Gb/s")
    boolean quiet;

    @Option(names = "--no-warmup", description = "Skip the untimed warm-up run (a quarter of the heaps)")
    boolean noWarmup;

    @Option(names = "--max-heap-size", paramLabel = "BYTES", hidden = true,
            description = "spead4j: the receiver's heap size cap (recv.StreamConfig.maxHeapSize)")
    long maxHeapSize = StreamConfig.DEFAULT_MAX_HEAP_SIZE;

    /** What one run measured. */
    record Result(double seconds, long sent, long received, StreamStats stats, long oversized) {
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        String bad = null;
        if (!transport.equals("inproc") && !transport.equals("udp")) {
            bad = "--transport must be inproc or udp, got " + transport;
        } else if (heaps < 1 || heapsPerChunk < 1 || fengs < 1 || maxChunks < 1) {
            bad = "--heaps, --heaps-per-chunk, --fengs and --max-chunks must be positive";
        } else if ((long) heapsPerChunk * fengs > 1 << 16) {
            bad = "--heaps-per-chunk x --fengs must be at most 65536";
        } else if (chunks != null && chunks < maxChunks + 1) {
            bad = "--chunks must be at least --max-chunks + 1";
        } else if (window != null && window < minWindow()) {
            bad = "--window must be at least " + minWindow() + " (heaps of max-chunks + 1 chunks), or the sender "
                    + "waits for chunks the stream cannot hand over yet";
        } else if (!(rate >= 0) || Double.isInfinite(rate)) {
            bad = "--rate must be a finite number of Gb/s, at least 0";
        } else if (maxHeapSize < 1) {
            bad = "--max-heap-size must be positive";
        }
        if (bad != null) {
            throw new CommandLine.ParameterException(cl, bad);
        }
        if (!noWarmup) {
            run(Math.max(1, heaps / 4)); // lets the JIT compile the path before it is timed
        }
        Result r = run(heaps);
        double heapsPerSecond = r.received() / r.seconds();
        double gbps = (double) HEAP_SIZE * r.received() * 8e-9 / r.seconds();
        PrintWriter out = cl.getOut();
        if (quiet) {
            out.print(CppFormat.general(heapsPerSecond) + " " + CppFormat.general(gbps) + "\n");
        } else {
            String how = ring ? "ring stream" : String.format(Locale.ROOT, "chunk stream (%d heaps a chunk, %d open)",
                    heapsPerChunk * fengs, maxChunks);
            out.print(String.format(Locale.ROOT, "%s over %s: %d heaps of %d bytes in %s seconds: %s heaps/s, %s Gb/s%n",
                    how, transport, heaps, HEAP_SIZE, CppFormat.general(r.seconds()),
                    CppFormat.general(heapsPerSecond), CppFormat.general(gbps)));
            out.print("Received " + r.received() + " of " + r.sent() + " heaps\n");
        }
        out.flush();
        String shortfall = shortfall(r);
        if (shortfall != null) {
            throw new Main.ToolException(1, shortfall);
        }
        return 0;
    }

    private int slotsPerChunk() {
        return heapsPerChunk * fengs;
    }

    private int minWindow() {
        return (maxChunks + 1) * slotsPerChunk();
    }

    /**
     * Says what went missing in a run.
     *
     * @param r the run
     * @return null if every heap sent arrived complete, else the message to fail with
     */
    static String shortfall(Result r) {
        if (r.received() == r.sent()) {
            return null;
        }
        StringBuilder message = new StringBuilder("received ").append(r.received()).append(" of ").append(r.sent())
                .append(" heaps (");
        StreamStats s = r.stats();
        message.append(s.packets()).append(" packets, ").append(s.incompleteHeapsEvicted() + s.incompleteHeapsFlushed())
                .append(" incomplete heaps");
        for (String name : List.of("too_old_heaps", "rejected_heaps")) {
            if (s.contains(name)) {
                message.append(", ").append(name).append(' ').append(s.get(name));
            }
        }
        if (r.oversized() > 0) {
            message.append(", ").append(r.oversized()).append(" packets over the heap size cap");
        }
        return message.append(')').toString();
    }

    /** Sends n heaps and receives them; the time runs from the first send to the last heap's hand-over. */
    private Result run(long n) throws Exception {
        int credits = window != null ? window : Math.max(32, (maxChunks + 2) * slotsPerChunk());
        Semaphore credit = new Semaphore(credits);
        AtomicLong received = new AtomicLong();
        StreamConfig config = new StreamConfig().withMaxHeapSize(maxHeapSize);
        try (ThreadPool recvPool = new ThreadPool(1); ThreadPool sendPool = new ThreadPool(1);
             Arena arena = Arena.ofShared()) {
            StreamBase rx;
            Thread consumer;
            if (ring) {
                io.spead4j.recv.Stream stream = new io.spead4j.recv.Stream(recvPool,
                        config.withMemoryAllocator(new MemoryPool(HEAP_SIZE, HEAP_SIZE + 1024L, 16, 8)),
                        RingStreamConfig.DEFAULT.withHeaps(16));
                rx = stream;
                consumer = Thread.ofPlatform().name("spead4j-bench-chunk-ring").start(() -> {
                    for (HeapBase h : stream) {
                        if (h instanceof Heap heap) {
                            received.incrementAndGet();
                            heap.release();
                        }
                        credit.release(); // incomplete heaps too, so a loss does not stall the sender
                    }
                });
            } else {
                TimestampPlacer placer = new TimestampPlacer(TIMESTAMP_ID, TIMESTAMP_STEP, heapsPerChunk, HEAP_SIZE)
                        .withIndex(FENG_ID, fengs);
                int allocated = chunks != null ? chunks : maxChunks + 6;
                ChunkRingbuffer dataRing = new ChunkRingbuffer(allocated);
                ChunkRingbuffer freeRing = new ChunkRingbuffer(allocated);
                ChunkRingStream stream = new ChunkRingStream(recvPool, config,
                        placer.configure(new ChunkStreamConfig().withMaxChunks(maxChunks)), dataRing, freeRing);
                rx = stream;
                for (int i = 0; i < allocated; i++) {
                    stream.addFreeChunk(placer.newChunk(arena));
                }
                int slots = placer.presentSize();
                consumer = Thread.ofPlatform().name("spead4j-bench-chunk").start(() -> {
                    for (Chunk chunk : dataRing) {
                        received.addAndGet(chunk.presentCount());
                        stream.addFreeChunk(chunk);
                        credit.release(slots); // every slot, present or not, so a loss does not stall the sender
                    }
                });
            }
            try (rx) {
                io.spead4j.send.StreamConfig sendConfig = new io.spead4j.send.StreamConfig()
                        .withMaxPacketSize(PACKET_SIZE).withMaxHeaps(SEND_SLOTS + 1).withRate(rate * 1e9 / 8);
                InprocQueue queue = null;
                io.spead4j.send.Stream tx;
                if (transport.equals("inproc")) {
                    queue = new InprocQueue();
                    rx.addInprocReader(queue);
                    tx = new InprocStream(sendPool, List.of(queue), sendConfig);
                } else {
                    rx.addUdpReader(0, 9200, StreamBase.DEFAULT_UDP_BUFFER_SIZE, "127.0.0.1");
                    InetSocketAddress to = rx.localAddresses().getLast();
                    tx = new UdpStream(sendPool, List.of(to), sendConfig);
                }
                long sent = 0;
                long start = System.nanoTime();
                try (tx) {
                    sent = send(tx, arena, n, credit);
                    tx.sendHeap(new io.spead4j.send.Heap(new Flavour(48, 0)).addEnd());
                }
                consumer.join(TimeUnit.SECONDS.toMillis(10)); // the end heap stops the stream; UDP may lose it
                if (consumer.isAlive()) {
                    rx.stop();
                    consumer.join();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (queue != null) {
                    queue.stop();
                }
                return new Result(seconds, sent, received.get(), rx.getStats(), rx.oversizedPackets());
            } finally {
                rx.stop();
                consumer.join();
            }
        }
    }

    /**
     * Sends up to n heaps, each when a credit is free (gives up after 10 s without one: heaps were lost).
     * Heap objects are reused round robin, their timestamp and feng_id rewritten before each send.
     *
     * @return the heaps sent
     */
    private long send(io.spead4j.send.Stream tx, Arena arena, long n, Semaphore credit) throws Exception {
        MemorySegment payload = arena.allocate(HEAP_SIZE, 64);
        io.spead4j.send.Heap[] heapSlots = new io.spead4j.send.Heap[SEND_SLOTS];
        MemorySegment[] timestamps = new MemorySegment[SEND_SLOTS];
        MemorySegment[] fengIds = new MemorySegment[SEND_SLOTS];
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] pending = (CompletableFuture<Long>[]) new CompletableFuture<?>[SEND_SLOTS];
        for (int i = 0; i < SEND_SLOTS; i++) {
            // 6-byte items sent as immediates, read when the packets are generated
            timestamps[i] = arena.allocate(6);
            fengIds[i] = arena.allocate(6);
            heapSlots[i] = new io.spead4j.send.Heap(new Flavour(48, 0)).repeatPointers(true)
                    .addItem(TIMESTAMP_ID, timestamps[i], true).addItem(FENG_ID, fengIds[i], true)
                    .addItem(FREQUENCY_ID, 0).addItem(RAW_ID, payload, false);
        }
        long sent = 0;
        try {
            for (; sent < n; sent++) {
                if (!credit.tryAcquire(10, TimeUnit.SECONDS)) {
                    break; // the receiver has stopped handing heaps over: the shortfall is reported
                }
                int slot = (int) (sent % SEND_SLOTS);
                if (pending[slot] != null) {
                    pending[slot].get();
                }
                putImmediate48(timestamps[slot], sent / fengs * TIMESTAMP_STEP);
                putImmediate48(fengIds[slot], sent % fengs);
                pending[slot] = tx.sendHeapAsync(heapSlots[slot]);
            }
        } finally {
            for (CompletableFuture<Long> f : pending) {
                if (f != null) {
                    f.get();
                }
            }
        }
        return sent;
    }

    /** Writes a 48-bit value big-endian into a 6-byte segment. */
    private static void putImmediate48(MemorySegment segment, long value) {
        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0, (short) (value >>> 32));
        segment.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (int) value);
    }
}
