package io.spead4j.send;

import java.util.Objects;

/**
 * Configuration of a send stream, spead2's {@code send::StreamConfig}. Immutable and validated; change a
 * value with the {@code withX} methods, which return a new instance.
 *
 * <p>Defaults: max packet size 1472 bytes, rate 0 (unlimited) bytes per second, burst size 65536 bytes,
 * max heaps 4, burst rate ratio 1.05, rate method {@link RateMethod#AUTO}. As in spead2, the max packet size
 * is only checked when a heap is queued (it must be at least 56 once rounded down to a multiple of 8).
 *
 * @param maxPacketSize the largest packet in bytes, including header and pointers ({@code 1 .. 2^31 - 16})
 * @param rate the rate in bytes per second (headers included); 0 means no limit
 * @param burstSize bytes that may be sent back to back before the rate limiter sleeps
 * @param maxHeaps how many heaps may be queued or in flight at once (each heap of a group counts)
 * @param burstRateRatio how much faster than {@code rate} the stream may go to catch up after falling behind
 * @param rateMethod how rate limiting is done ({@link RateMethod#HW} falls back to software)
 */
public record StreamConfig(int maxPacketSize, double rate, long burstSize, int maxHeaps, double burstRateRatio,
                           RateMethod rateMethod) {
    /** Default max packet size: 1472 bytes (a UDP payload in a 1500-byte Ethernet MTU). */
    public static final int DEFAULT_MAX_PACKET_SIZE = 1472;
    /** Default rate: 0, unlimited. */
    public static final double DEFAULT_RATE = 0.0;
    /** Default burst size: 65536 bytes. */
    public static final long DEFAULT_BURST_SIZE = 65536;
    /** Default max heaps in flight: 4. */
    public static final int DEFAULT_MAX_HEAPS = 4;
    /** Default burst rate ratio: 1.05. */
    public static final double DEFAULT_BURST_RATE_RATIO = 1.05;
    /** The defaults. */
    public static final StreamConfig DEFAULT = new StreamConfig(DEFAULT_MAX_PACKET_SIZE, DEFAULT_RATE,
            DEFAULT_BURST_SIZE, DEFAULT_MAX_HEAPS, DEFAULT_BURST_RATE_RATIO, RateMethod.AUTO);

    /** Validates the values. */
    public StreamConfig {
        if (maxPacketSize < 1 || maxPacketSize > Integer.MAX_VALUE - 15) {
            throw new IllegalArgumentException("max packet size must be positive, got " + maxPacketSize);
        }
        if (!(rate >= 0.0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be finite and non-negative, got " + rate);
        }
        if (burstSize < 0) {
            throw new IllegalArgumentException("burst size must be non-negative, got " + burstSize);
        }
        if (maxHeaps < 1) {
            throw new IllegalArgumentException("max heaps must be positive, got " + maxHeaps);
        }
        if (!(burstRateRatio >= 1.0) || Double.isInfinite(burstRateRatio)) {
            throw new IllegalArgumentException("burst rate ratio must be finite and at least 1.0, got "
                    + burstRateRatio);
        }
        Objects.requireNonNull(rateMethod, "rateMethod");
    }

    /** Creates the default configuration (spead2's defaults). */
    public StreamConfig() {
        this(DEFAULT_MAX_PACKET_SIZE, DEFAULT_RATE, DEFAULT_BURST_SIZE, DEFAULT_MAX_HEAPS, DEFAULT_BURST_RATE_RATIO,
                RateMethod.AUTO);
    }

    /** {@return the default configuration} */
    public static StreamConfig defaults() {
        return DEFAULT;
    }

    /**
     * Returns a copy with another {@link #maxPacketSize()}.
     *
     * @param value the largest packet in bytes, including header and pointers ({@code 1 .. 2^31 - 16})
     * @return the new configuration
     * @throws IllegalArgumentException if the value is out of range
     */
    public StreamConfig withMaxPacketSize(int value) {
        return new StreamConfig(value, rate, burstSize, maxHeaps, burstRateRatio, rateMethod);
    }

    /**
     * Returns a copy with another {@link #rate()}.
     *
     * @param value the rate in bytes per second (headers included); 0 means no limit
     * @return the new configuration
     * @throws IllegalArgumentException if the value is negative, infinite or NaN
     */
    public StreamConfig withRate(double value) {
        return new StreamConfig(maxPacketSize, value, burstSize, maxHeaps, burstRateRatio, rateMethod);
    }

    /**
     * Returns a copy with another {@link #burstSize()}.
     *
     * @param value bytes that may be sent back to back before the rate limiter sleeps, at least 0
     * @return the new configuration
     * @throws IllegalArgumentException if the value is negative
     */
    public StreamConfig withBurstSize(long value) {
        return new StreamConfig(maxPacketSize, rate, value, maxHeaps, burstRateRatio, rateMethod);
    }

    /**
     * Returns a copy with another {@link #maxHeaps()}.
     *
     * @param value how many heaps may be queued or in flight at once, at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if the value is below 1
     */
    public StreamConfig withMaxHeaps(int value) {
        return new StreamConfig(maxPacketSize, rate, burstSize, value, burstRateRatio, rateMethod);
    }

    /**
     * Returns a copy with another {@link #burstRateRatio()}.
     *
     * @param value how much faster than the rate the stream may go to catch up, finite and at least 1.0
     * @return the new configuration
     * @throws IllegalArgumentException if the value is below 1.0, infinite or NaN
     */
    public StreamConfig withBurstRateRatio(double value) {
        return new StreamConfig(maxPacketSize, rate, burstSize, maxHeaps, value, rateMethod);
    }

    /**
     * Returns a copy with another {@link #rateMethod()}.
     *
     * @param value how rate limiting is done, not null
     * @return the new configuration
     */
    public StreamConfig withRateMethod(RateMethod value) {
        return new StreamConfig(maxPacketSize, rate, burstSize, maxHeaps, burstRateRatio, value);
    }

    /** {@return the burst rate, {@code rate * burstRateRatio} bytes per second} */
    public double burstRate() {
        return rate * burstRateRatio;
    }
}
