package io.spead4j.tools;

import io.spead4j.recv.DropCounts;
import io.spead4j.recv.DropReason;
import io.spead4j.recv.StreamBase;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The live one-line progress of {@code spead4j recv} and {@code spead4j bench}: about once a second, on a
 * terminal only, it rewrites one line of stderr with the heaps so far, heaps/s and Gb/s over the last second,
 * and the drops by reason ({@link StreamBase#getDrops()}). Nothing is written when the console is not a
 * terminal or when the command is quiet. {@link #close()} erases the line.
 */
final class ProgressLine implements AutoCloseable {
    private final PrintWriter err;
    private final ScheduledExecutorService timer;
    private boolean written;
    private boolean closed;
    private long lastNanos;
    private long lastHeaps;
    private long lastBytes;

    private ProgressLine(PrintWriter err, List<? extends StreamBase> streams, LongSupplier bytes) {
        this.err = err;
        this.lastNanos = System.nanoTime();
        if (streams == null) {
            this.timer = null;
            return;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spead4j-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> update(streams, bytes), 1, 1, TimeUnit.SECONDS);
    }

    /** @return true if the JVM's console is a terminal (standard input and output are not redirected) */
    static boolean isTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    /**
     * Starts the progress line if it should show: on a terminal and not quiet.
     *
     * @param err where the line goes
     * @param quiet whether the command is quiet
     * @param streams the streams whose heaps and drops are summed
     * @param bytes payload bytes received so far
     * @return the progress line (one that writes nothing if it should not show)
     */
    static ProgressLine start(PrintWriter err, boolean quiet, List<? extends StreamBase> streams, LongSupplier bytes) {
        return new ProgressLine(err, quiet || !isTerminal() ? null : List.copyOf(streams), bytes);
    }

    private synchronized void update(List<? extends StreamBase> streams, LongSupplier bytes) {
        long heaps = 0;
        long[] drops = new long[DropReason.values().length];
        for (StreamBase s : streams) {
            heaps += s.getStats().heaps();
            DropCounts d = s.getDrops();
            for (DropReason r : DropReason.values()) {
                drops[r.ordinal()] += d.get(r);
            }
        }
        long now = System.nanoTime();
        long b = bytes.getAsLong();
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        String line = format(heaps, (heaps - lastHeaps) / seconds, (b - lastBytes) * 8e-9 / seconds,
                new DropCounts(drops));
        lastNanos = now;
        lastHeaps = heaps;
        lastBytes = b;
        err.print("\r" + line + "\033[K");
        err.flush();
        written = true;
    }

    /**
     * Formats one progress line.
     *
     * @param heaps heaps so far
     * @param heapsPerSecond heaps per second over the last interval
     * @param gbps gigabits of payload per second over the last interval
     * @param drops the drops so far
     * @return e.g. {@code 1200 heaps | 100.0 heaps/s | 3.355 Gb/s | drops: kernel=12 bad_header=1}
     */
    static String format(long heaps, double heapsPerSecond, double gbps, DropCounts drops) {
        StringBuilder sb = new StringBuilder();
        sb.append(heaps).append(" heaps | ").append(String.format(Locale.ROOT, "%.1f", heapsPerSecond))
                .append(" heaps/s | ").append(String.format(Locale.ROOT, "%.3f", gbps)).append(" Gb/s | drops:");
        Map<String, Long> nonZero = drops.nonZero();
        if (nonZero.isEmpty()) {
            sb.append(" none");
        }
        nonZero.forEach((reason, count) -> sb.append(' ').append(reason).append('=').append(count));
        return sb.toString();
    }

    /** Stops the updates and erases the line if one was written. */
    @Override
    public void close() {
        synchronized (this) {
            if (timer == null || closed) {
                return;
            }
            closed = true;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (written) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
