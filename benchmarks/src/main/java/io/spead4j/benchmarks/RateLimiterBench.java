package io.spead4j.benchmarks;

import io.spead4j.ThreadPool;
import io.spead4j.send.ChannelStream;
import io.spead4j.send.Heap;
import io.spead4j.send.StreamConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The rate a send stream achieves on the real clock against the rate it is asked for (a measurement, not a
 * test: the limiter's algorithm is tested on a fake clock in {@code RateLimiterTest}). For each rate it sends
 * 1 MiB heaps in 9000-byte packets into a channel that discards everything, for about the given time, and
 * prints the asked and achieved rates and their ratio.
 *
 * <p>Run: {@code java -cp benchmarks/target/spead4j-benchmarks.jar io.spead4j.benchmarks.RateLimiterBench
 * [seconds [rate-in-bytes-per-second ...]]} (default 2 s at 10 MB/s, 50 MB/s, 200 MB/s and 1 GB/s).
 */
public final class RateLimiterBench {
    private static final int HEAP_BYTES = 1 << 20;

    private RateLimiterBench() {
    }

    /** A channel that accepts and drops every byte. */
    private static final class DiscardChannel implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // nothing to release
        }
    }

    /**
     * Measures every rate.
     *
     * @param args optional: seconds per rate, then rates in bytes per second
     * @throws Exception if a send fails
     */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        double[] rates = args.length > 1
                ? java.util.Arrays.stream(args, 1, args.length).mapToDouble(Double::parseDouble).toArray()
                : new double[] {10e6, 50e6, 200e6, 1e9};
        System.out.printf(Locale.ROOT, "%16s %16s %8s %10s%n", "asked B/s", "achieved B/s", "ratio", "seconds");
        try (ThreadPool pool = new ThreadPool(1)) {
            run(pool, rates[0], Math.min(seconds, 0.5)); // warm-up
            for (double rate : rates) {
                double[] result = run(pool, rate, seconds);
                System.out.printf(Locale.ROOT, "%16.4g %16.4g %8.4f %10.3f%n", rate, result[0], result[0] / rate,
                        result[1]);
            }
        }
    }

    /** Sends about {@code seconds} worth of heaps at {@code rate}; returns the achieved rate and the time. */
    private static double[] run(ThreadPool pool, double rate, double seconds) throws IOException {
        StreamConfig config = StreamConfig.DEFAULT.withMaxPacketSize(9000).withRate(rate).withMaxHeaps(8);
        byte[] data = new byte[HEAP_BYTES];
        long heaps = Math.max(2, (long) (rate * seconds / HEAP_BYTES));
        try (ChannelStream s = new ChannelStream(pool, new DiscardChannel(), config)) {
            // the first heap wakes the writer; time from its completion so start-up is not measured
            s.sendHeap(new Heap().addItem(0x1000, data, false));
            long start = System.nanoTime();
            long bytes = 0;
            ArrayDeque<CompletableFuture<Long>> inFlight = new ArrayDeque<>();
            for (long i = 0; i < heaps; i++) {
                if (inFlight.size() == 4) {
                    bytes += inFlight.removeFirst().join();
                }
                inFlight.add(s.sendHeapAsync(new Heap().addItem(0x1000, data, false)));
            }
            s.flush();
            while (!inFlight.isEmpty()) {
                bytes += inFlight.removeFirst().join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new double[] {bytes / elapsed, elapsed};
        }
    }
}
