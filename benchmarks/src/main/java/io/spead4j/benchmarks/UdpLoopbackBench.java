package io.spead4j.benchmarks;

import io.spead4j.Flavour;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.recv.StreamStats;
import io.spead4j.send.UdpStream;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback UDP throughput of {@link UdpStream} into a receive {@link Stream} with a UDP reader (a measurement,
 * not a test). For each shape it sends heaps for a few seconds at unlimited rate, then searches for the
 * highest rate with no lost heap. Reports Gb/s sent, heaps sent and received, loss.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/spead4j-benchmarks.jar
 * io.spead4j.benchmarks.UdpLoopbackBench [seconds]}; the receiver and sender take the native batched path where
 * supported ({@code -Dspead4j.udp=nio} forces NIO).
 */
public final class UdpLoopbackBench {
    /** Burst size for the rate search: spead2's default. */
    private static final long SEARCH_BURST = io.spead4j.send.StreamConfig.DEFAULT_BURST_SIZE;

    private UdpLoopbackBench() {
    }

    /** One traffic shape. */
    private record Shape(String name, Flavour flavour, int heapBytes, int maxPacketSize, boolean fEngine) {
    }

    /** Result of one run. */
    private record Result(double gbps, long sent, long received, long packets) {
        double loss() {
            return sent == 0 ? 0 : 1.0 - (double) received / sent;
        }
    }

    /**
     * Runs every shape.
     *
     * @param args optional: seconds per run (default 2)
     * @throws Exception on socket failures
     */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        List<Shape> shapes = List.of(
                new Shape("4 MiB heaps, 9000-byte packets", Flavour.DEFAULT, 4 << 20, 9000, false),
                new Shape("4 MiB heaps, 1472-byte packets", Flavour.DEFAULT, 4 << 20, 1472, false),
                // 4 specials + 3 immediates + 1 payload pointer = 8 pointers: 8 + 64 bytes around 8192 of payload
                new Shape("MeerKAT F-engine: SPEAD-64-48, 128 KiB heaps, 8192-byte payloads, repeatPointers, "
                        + "3 immediates", new Flavour(48, 0), 128 << 10, 8192 + 8 + 8 * 8, true));
        try (ThreadPool pool = new ThreadPool(2)) {
            for (Shape shape : shapes) {
                System.out.println("== " + shape.name());
                run(pool, shape, 0.0, 0.5); // warm-up
                Result unlimited = run(pool, shape, 0.0, seconds);
                print("unlimited", unlimited);
                Result defaultBurst = run(pool, shape, unlimited.gbps() * 1e9 / 8 * 0.5, seconds);
                print(String.format(Locale.ROOT, "rate %.2f Gb/s (burst 64 KiB)", unlimited.gbps() * 0.5),
                        defaultBurst);
                double low = 0;
                double high = unlimited.gbps() * 1e9 / 8 * 1.1;
                Result best = null;
                for (int i = 0; i < 6; i++) {
                    double rate = (low + high) / 2;
                    Result r = run(pool, shape, rate, seconds, SEARCH_BURST);
                    print(String.format(Locale.ROOT, "rate %.2f Gb/s (burst 64 KiB)", rate * 8 / 1e9), r);
                    if (r.received() == r.sent()) {
                        low = rate;
                        if (best == null || r.gbps() > best.gbps()) {
                            best = r;
                        }
                    } else {
                        high = rate;
                    }
                }
                if (best != null) {
                    System.out.printf(Locale.ROOT, "  highest lossless rate achieved: %.2f Gb/s%n", best.gbps());
                } else {
                    System.out.println("  no lossless rate found in the search");
                }
            }
        }
    }

    private static void print(String label, Result r) {
        System.out.printf(Locale.ROOT, "  %-30s sent %6.2f Gb/s  heaps sent %6d  received %6d  loss %6.2f%%  "
                + "packets received %d%n", label, r.gbps(), r.sent(), r.received(), 100 * r.loss(), r.packets());
    }

    private static Result run(ThreadPool pool, Shape shape, double rate, double seconds) throws Exception {
        return run(pool, shape, rate, seconds, io.spead4j.send.StreamConfig.DEFAULT_BURST_SIZE);
    }

    private static Result run(ThreadPool pool, Shape shape, double rate, double seconds, long burst)
            throws Exception {
        int maxSize = Math.max(9200, shape.maxPacketSize());
        StreamConfig recvConfig = new StreamConfig().withMaxHeaps(4)
                .withMemoryAllocator(new MemoryPool(shape.heapBytes(), shape.heapBytes(), 16, 8));
        AtomicLong complete = new AtomicLong();
        try (Stream receiver = new Stream(pool, recvConfig, new RingStreamConfig().withHeaps(8))) {
            // the form that opens its own socket, so the path follows spead4j.udp (native where supported)
            receiver.addUdpReader(0, maxSize, Stream.DEFAULT_UDP_BUFFER_SIZE, "127.0.0.1");
            InetSocketAddress to = receiver.localAddresses().getLast();
            Thread consumer = Thread.ofPlatform().daemon().start(() -> {
                for (HeapBase h : receiver) {
                    if (h instanceof Heap heap) {
                        complete.incrementAndGet();
                        heap.release();
                    }
                }
            });
            io.spead4j.send.StreamConfig sendConfig = io.spead4j.send.StreamConfig.DEFAULT
                    .withMaxPacketSize(shape.maxPacketSize()).withRate(rate).withMaxHeaps(8).withBurstSize(burst);
            MemorySegment payload = Arena.ofAuto().allocate(shape.heapBytes(), 8);
            io.spead4j.send.Heap heap = new io.spead4j.send.Heap(shape.flavour());
            if (shape.fEngine()) {
                heap.addItem(0x1600, 123_456_789L);  // timestamp
                heap.addItem(0x4101, 7);             // feng_id
                heap.addItem(0x4103, 1024);          // frequency
                heap.repeatPointers(true);
            }
            heap.addItem(0x4300, payload, false);
            long sent = 0;
            long bytes = 0;
            try (UdpStream sender = new UdpStream(pool, List.of(to), sendConfig)) {
                ArrayDeque<CompletableFuture<Long>> window = new ArrayDeque<>();
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    if (window.size() == 4) {
                        bytes += window.removeFirst().join();
                    }
                    window.addLast(sender.sendHeapAsync(heap));
                    sent++;
                }
                while (!window.isEmpty()) {
                    bytes += window.removeFirst().join();
                }
                long elapsed = System.nanoTime() - start;
                double gbps = bytes * 8.0 / elapsed;
                for (int i = 0; i < 100 && complete.get() < sent; i++) {
                    Thread.sleep(10); // let the receiver drain its socket
                }
                receiver.stop();
                consumer.join(5000);
                StreamStats stats = receiver.getStats();
                return new Result(gbps, sent, complete.get(), stats.packets());
            }
        }
    }
}
