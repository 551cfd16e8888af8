package io.spead4j.net;

/**
 * The Linux timer slack of the calling thread: how late the kernel may wake a thread that sleeps with a
 * timeout, 50 µs by default. A send stream's rate limiter sleeps between bursts of a few tens of
 * microseconds, so it lowers its writer thread's slack; it can then sleep instead of spinning. Not part of
 * the public API.
 */
public final class TimerSlack {
    /** Slack asked for by writers that pace packets: one microsecond. */
    public static final long PACING_NANOS = 1_000;

    private TimerSlack() {
    }

    /**
     * Sets the calling thread's timer slack ({@code prctl(PR_SET_TIMERSLACK)}).
     *
     * @param nanos the slack in nanoseconds, at least 1 (0 would mean "back to the default")
     * @return true if the kernel took it; false where native calls are unavailable or it refused
     * @throws IllegalArgumentException if {@code nanos < 1}
     */
    public static boolean setForCurrentThread(long nanos) {
        if (nanos < 1) {
            throw new IllegalArgumentException("timer slack must be at least 1 ns, got " + nanos);
        }
        return Libc.unsupportedReason() == null && Libc.prctl(Libc.PR_SET_TIMERSLACK, nanos) == 0;
    }

    /**
     * Reads the calling thread's timer slack ({@code prctl(PR_GET_TIMERSLACK)}).
     *
     * @return the slack in nanoseconds, or -1 where native calls are unavailable
     */
    public static long currentThread() {
        return Libc.unsupportedReason() == null ? Libc.prctl(Libc.PR_GET_TIMERSLACK, 0) : -1;
    }
}
