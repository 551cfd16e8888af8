package io.spead4j.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Binds the calling thread to one CPU core through {@code sched_setaffinity} (Linux; a
 * {@code java.lang.foreign} downcall). Not part of the public API: see {@link io.spead4j.ThreadPool}.
 */
public final class CpuAffinity {
    /** Cores a CPU set can name (glibc's {@code CPU_SETSIZE}). */
    public static final int MAX_CORES = Libc.CPU_SET_BYTES * 8;

    private CpuAffinity() {
    }

    /** {@return whether affinity can be set here (Linux x86-64/aarch64 with native access)} */
    public static boolean isSupported() {
        return Libc.unsupportedReason() == null;
    }

    /** {@return null if {@link #isSupported()}, else why not} */
    public static String unsupportedReason() {
        return Libc.unsupportedReason();
    }

    /**
     * Checks a core number's range (not whether the machine has that core: {@link #bindCurrentThread} does).
     *
     * @param core the core
     * @throws IllegalArgumentException if negative or beyond {@link #MAX_CORES}
     */
    public static void checkCore(int core) {
        if (core < 0 || core >= MAX_CORES) {
            throw new IllegalArgumentException("CPU core must be 0 to " + (MAX_CORES - 1) + ", got " + core);
        }
    }

    /**
     * Binds the calling thread to one core.
     *
     * @param core the core, 0-based as the kernel numbers them
     * @throws IllegalArgumentException if the core is out of range or the kernel refuses (e.g. no such core
     *     online, or outside the process's allowed set), naming the core and the kernel's error
     * @throws UnsupportedOperationException if not {@link #isSupported()}
     */
    public static void bindCurrentThread(int core) {
        checkCore(core);
        String problem = Libc.unsupportedReason();
        if (problem != null) {
            throw new UnsupportedOperationException("CPU affinity cannot be set: " + problem);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(Libc.CAPTURE_LAYOUT);
            MemorySegment mask = a.allocate(Libc.CPU_SET_BYTES, 8);
            mask.set(JAVA_BYTE, core / 8, (byte) (1 << (core % 8)));
            if (Libc.schedSetaffinity(capture, 0, Libc.CPU_SET_BYTES, mask) != 0) {
                throw new IllegalArgumentException("cannot bind thread " + Thread.currentThread().getName()
                        + " to CPU core " + core + ": sched_setaffinity failed: "
                        + Libc.strerror(Libc.errno(capture)) + " (the machine has "
                        + Runtime.getRuntime().availableProcessors() + " cores available to this process)");
            }
        }
    }
}
