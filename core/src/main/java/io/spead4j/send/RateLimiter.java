package io.spead4j.send;

import java.util.function.LongSupplier;

/**
 * The software rate limiter of a send stream's writer, following spead2's algorithm: packets go out back to
 * back until {@code burstSize} bytes have been taken; then the two send times advance by the accumulated
 * transmission debt (the burst time by the debt divided by the burst rate ratio) and the writer sleeps until
 * the later of them. When a heap arrives at an idle writer the standard time is moved up to "now minus the
 * debt", so no credit builds up while idle.
 *
 * <p>Times are nanoseconds (as doubles, sub-nanosecond precise) relative to the limiter's creation, read
 * from a {@link LongSupplier} clock ({@link System#nanoTime()} in streams, a fake one in tests). Used by the
 * writer thread only.
 */
final class RateLimiter {
    private final long burstSize;
    private final double burstRateRatio;
    private final LongSupplier clock;
    private final long origin;
    private double sendTime;
    private double sendTimeBurst;
    private long bytes;
    private double debt;
    private boolean mustSleep;

    RateLimiter(long burstSize, double burstRateRatio, LongSupplier clock) {
        this.burstSize = burstSize;
        this.burstRateRatio = burstRateRatio;
        this.clock = clock;
        this.origin = clock.getAsLong();
    }

    private double now() {
        return clock.getAsLong() - origin;
    }

    /**
     * Checks whether the next packet may be taken now (step 1 and 2 of spead2's {@code get_packet}).
     *
     * @return 0 if it may, else how many nanoseconds to sleep before asking again
     */
    long delayNanos() {
        if (!mustSleep && bytes < burstSize) {
            return 0; // within the burst: no need to read the clock (as spead2, once a burst, not once a packet)
        }
        double now = now();
        if (mustSleep) {
            if (now < sendTimeBurst) {
                return waitFor(sendTimeBurst, now);
            }
            mustSleep = false;
        }
        if (bytes >= burstSize) {
            sendTimeBurst += debt / burstRateRatio;
            sendTime += debt;
            bytes = 0;
            debt = 0;
            double target = Math.max(sendTimeBurst, sendTime);
            sendTimeBurst = Math.max(now, target);
            if (now < target) {
                mustSleep = true;
                return waitFor(target, now);
            }
        }
        return 0;
    }

    private static long waitFor(double target, double now) {
        return Math.max(1, (long) Math.ceil(target - now));
    }

    /**
     * Accounts for a packet just taken.
     *
     * @param size packet size in bytes
     * @param nanosPerByte its heap's transmission time per byte (0 for unlimited)
     */
    void packetTaken(int size, double nanosPerByte) {
        bytes += size;
        debt += size * nanosPerByte;
    }

    /** A heap arrived while the writer was idle: forget the credit of the idle time. */
    void wokeFromIdle() {
        double backdate = Math.floor(now() - Math.floor(debt));
        sendTime = Math.max(sendTime, backdate);
    }

    /** {@return the standard send time, ns from creation (for tests)} */
    double sendTime() {
        return sendTime;
    }

    /** {@return the burst send time, ns from creation (for tests)} */
    double sendTimeBurst() {
        return sendTimeBurst;
    }
}
