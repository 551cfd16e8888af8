package io.spead4j.send;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rate limiter algorithm of SPEAD2-BEHAVIOUR §5.6 and the stream's choice of rate per heap, all on a fake
 * clock (no test here depends on the wall clock; the achieved rate is measured by the benchmarks module's
 * {@code RateLimiterBench}).
 */
class RateLimiterTest {
    /** A clock the test moves by hand. */
    private static final class FakeClock {
        long now = 1_000_000_000L;
    }

    @Test
    void burstsGoBackToBackThenSleepForTheirDebt() {
        FakeClock clock = new FakeClock();
        // 1000-byte bursts at 1e6 bytes/s: 1000 ns per byte
        RateLimiter r = new RateLimiter(1000, 1.05, () -> clock.now);
        r.wokeFromIdle();
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(500, 1000);
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(500, 1000);
        // burst full: the standard time moves by the 1 ms debt, and nothing has elapsed
        assertThat(r.delayNanos()).isEqualTo(1_000_000);
        assertThat(r.sendTime()).isEqualTo(1e6);
        // still asleep until the burst time is reached
        clock.now += 400_000;
        assertThat(r.delayNanos()).isEqualTo(600_000);
        clock.now += 600_000;
        assertThat(r.delayNanos()).isZero();
    }

    @Test
    void afterOversleepingItCatchesUpAtTheBurstRateRatio() {
        FakeClock clock = new FakeClock();
        RateLimiter r = new RateLimiter(1000, 1.25, () -> clock.now);
        r.wokeFromIdle();
        r.packetTaken(1000, 1000);
        assertThat(r.delayNanos()).isEqualTo(1_000_000);
        // oversleep by 2 ms: the next burst is due at once (standard time 2 ms is in the past)
        clock.now += 3_000_000;
        r.packetTaken(1000, 1000);
        assertThat(r.delayNanos()).isZero();
        assertThat(r.sendTimeBurst()).isEqualTo(3e6);
        // then bursts are spaced by debt / ratio = 0.8 ms until the standard time catches up
        r.packetTaken(1000, 1000);
        assertThat(r.delayNanos()).isEqualTo(800_000);
        clock.now += 800_000;
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(1000, 1000);
        assertThat(r.delayNanos()).isEqualTo(800_000);
        assertThat(r.sendTime()).isEqualTo(4e6);
    }

    @Test
    void idleTimeGivesNoCredit() {
        FakeClock clock = new FakeClock();
        RateLimiter r = new RateLimiter(1000, 1.05, () -> clock.now);
        r.wokeFromIdle();
        r.packetTaken(1000, 1000);
        assertThat(r.delayNanos()).isEqualTo(1_000_000);
        clock.now += 1_000_000;
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(400, 1000);
        // idle for 10 ms: the standard time jumps to now minus the 0.4 ms debt still owed
        clock.now += 10_000_000;
        r.wokeFromIdle();
        assertThat(r.sendTime()).isEqualTo(11e6 - 0.4e6);
        r.packetTaken(600, 1000);
        assertThat(r.delayNanos()).isEqualTo(600_000);
    }

    @Test
    void unlimitedHeapsNeverSleep() {
        FakeClock clock = new FakeClock();
        RateLimiter r = new RateLimiter(0, 1.05, () -> clock.now);
        r.wokeFromIdle();
        for (int i = 0; i < 1000; i++) {
            assertThat(r.delayNanos()).isZero();
            r.packetTaken(9000, 0.0);
        }
    }

    @Test
    void perHeapRateOverridesTheStreamRate() {
        double stream2000 = Stream.nanosPerByte(2000.0, 0.0);
        assertThat(stream2000).isEqualTo(500_000.0);
        // unlimited stream, 2000 B/s heap: the heap's rate
        assertThat(Stream.nanosPerByte(2000.0, 0.0)).isEqualTo(500_000.0);
        // 2000 B/s stream, heap with the stream's rate (negative): the stream's
        assertThat(Stream.nanosPerByte(-1.0, stream2000)).isEqualTo(500_000.0);
        // 10 B/s stream, unlimited heap (rate 0): unlimited
        assertThat(Stream.nanosPerByte(0.0, Stream.nanosPerByte(10.0, 0.0))).isZero();
        // 10 B/s stream, 2000 B/s heap: the heap's
        assertThat(Stream.nanosPerByte(2000.0, Stream.nanosPerByte(10.0, 0.0))).isEqualTo(500_000.0);

        // on the limiter, with no burst allowance, two 128-byte packets at 2000 B/s: the second waits 64 ms
        FakeClock clock = new FakeClock();
        RateLimiter r = new RateLimiter(0, 1.05, () -> clock.now);
        r.wokeFromIdle();
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(128, stream2000);
        assertThat(r.delayNanos()).isEqualTo(64_000_000);
        clock.now += 64_000_000;
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(128, stream2000);
        // ... and an unlimited heap after it goes out without waiting beyond the debt already owed
        clock.now += 64_000_000;
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(128, 0.0);
        assertThat(r.delayNanos()).isZero();
        r.packetTaken(128, 0.0);
        assertThat(r.delayNanos()).isZero();
    }

    /**
     * What a real-time check of the achieved rate would show, on the fake clock: a writer that sleeps as long
     * as the limiter asks, plus a random oversleep of up to 5 µs (the stream spins the end of its sleeps), sends
     * 10 MiB in 9000-byte packets at 50 MB/s with spead2's default burst rate ratio in the time the bytes take
     * at that rate, whatever the burst size: never faster (beyond the last burst, not slept yet) and slower
     * only by the last oversleep, which the burst rate ratio catches up on.
     * The achieved rate is measured for real by {@code io.spead4j.benchmarks.RateLimiterBench}.
     */
    @Test
    void achievedRateOnAFakeClockIsTheConfiguredOne() {
        double rate = 50e6;
        double nanosPerByte = 1e9 / rate;
        long maxOversleep = 5_000;
        for (long burstSize : new long[] {StreamConfig.DEFAULT_BURST_SIZE, 0, 1 << 20}) {
            FakeClock clock = new FakeClock();
            SplittableRandom random = new SplittableRandom(burstSize);
            RateLimiter r = new RateLimiter(burstSize, StreamConfig.DEFAULT_BURST_RATE_RATIO, () -> clock.now);
            long start = clock.now;
            r.wokeFromIdle();
            long bytes = 0;
            long sleeps = 0;
            int packet = 9000;
            while (bytes < 10L << 20) {
                long delay = r.delayNanos();
                if (delay > 0) {
                    clock.now += delay + random.nextLong(maxOversleep + 1);
                    sleeps++;
                    continue;
                }
                r.packetTaken(packet, nanosPerByte);
                bytes += packet;
            }
            long elapsed = clock.now - start;
            double owed = bytes * nanosPerByte;
            double lastBurst = (Math.max(burstSize, packet) + packet) * nanosPerByte;
            assertThat((double) elapsed).as("burst size %d", burstSize)
                    .isBetween(owed - lastBurst, owed + maxOversleep);
            assertThat(sleeps).as("burst size %d", burstSize).isGreaterThan(1);
        }
    }

    @Test
    void afterOneLongOversleepTheScheduleIsRecoveredAtTheBurstRate() {
        // 100 bursts of 1 ms of debt; the writer oversleeps 10 ms once, after the 10th
        FakeClock clock = new FakeClock();
        RateLimiter r = new RateLimiter(1000, 1.25, () -> clock.now);
        r.wokeFromIdle();
        long start = clock.now;
        long[] delays = new long[100];
        for (int burst = 0; burst < delays.length; burst++) {
            r.packetTaken(1000, 1000);
            delays[burst] = r.delayNanos();
            clock.now += delays[burst] + (burst == 10 ? 10_000_000 : 0);
        }
        assertThat(r.delayNanos()).isZero();
        // back on the 1 ms schedule: all 100 bursts done in 100 ms despite the 10 ms lost
        assertThat(clock.now - start).isEqualTo(100_000_000L);
        // the burst after the oversleep goes at once, then bursts come 1 ms / 1.25 apart (never closer) until
        // the standard time is reached, then 1 ms apart again
        assertThat(delays[11]).isZero();
        assertThat(java.util.Arrays.copyOfRange(delays, 12, 50)).containsOnly(800_000L);
        assertThat(delays[delays.length - 1]).isEqualTo(1_000_000L);
        assertThat(java.util.Arrays.stream(delays).filter(d -> d != 0 && d != 800_000 && d != 1_000_000).count())
                .isLessThanOrEqualTo(1);
    }
}
