package io.spead4j.tools;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The memory of a soak run over time: each sample is the Java heap in use right after a full collection
 * ({@code System.gc()}), so that it measures what is kept, not garbage not yet collected, together with the
 * process's resident set ({@code VmRSS} of {@code /proc/self/status}, where there is one).
 */
final class SoakMemory {
    /** The most the heap in use after warm-up may vary, as a fraction of its smallest sample. */
    static final double FLAT_TOLERANCE = 0.10;

    /**
     * One sample.
     *
     * @param seconds seconds since the run started
     * @param heapUsed bytes of Java heap in use after a collection
     * @param rss resident set size in bytes, or -1 if unknown
     */
    record Sample(double seconds, long heapUsed, long rss) {
        /** @return the sample as text */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "t=%.0fs heap used after GC %s, resident %s", seconds,
                    mib(heapUsed), rss < 0 ? "unknown" : mib(rss));
        }
    }

    /**
     * How flat the heap in use stayed after warm-up.
     *
     * @param samples the samples after warm-up
     * @param min the smallest heap in use among them
     * @param max the largest
     */
    record Flatness(int samples, long min, long max) {
        /** @return (max - min) / min */
        double spread() {
            return min <= 0 ? 0 : (double) (max - min) / min;
        }

        /** @return whether the spread is within {@link #FLAT_TOLERANCE} (true with fewer than 2 samples) */
        boolean flat() {
            return samples < 2 || spread() <= FLAT_TOLERANCE;
        }
    }

    private final List<Sample> samples = new ArrayList<>();

    /**
     * Collects garbage and takes a sample.
     *
     * @param seconds seconds since the run started
     * @return the sample
     */
    Sample sample(double seconds) {
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Sample s = new Sample(seconds, used, residentSetSize());
        samples.add(s);
        return s;
    }

    /** @return the samples so far, oldest first */
    List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * The flatness of the samples taken after {@code warmupSeconds}.
     *
     * @param warmupSeconds the warm-up
     * @return min and max of those samples (0 and 0 if there are none)
     */
    Flatness afterWarmup(double warmupSeconds) {
        return flatness(samples, warmupSeconds);
    }

    /**
     * The flatness of the samples taken after {@code warmupSeconds}.
     *
     * @param samples the samples
     * @param warmupSeconds the warm-up
     * @return min and max of those samples (0 and 0 if there are none)
     */
    static Flatness flatness(List<Sample> samples, double warmupSeconds) {
        long min = Long.MAX_VALUE;
        long max = 0;
        int n = 0;
        for (Sample s : samples) {
            if (s.seconds() > warmupSeconds) {
                min = Math.min(min, s.heapUsed());
                max = Math.max(max, s.heapUsed());
                n++;
            }
        }
        return n == 0 ? new Flatness(0, 0, 0) : new Flatness(n, min, max);
    }

    /** @return the resident set size of this process in bytes, or -1 where {@code /proc/self/status} is missing */
    static long residentSetSize() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Formats bytes in MiB.
     *
     * @param bytes the bytes
     * @return e.g. {@code 12.3 MiB}
     */
    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
