package io.spead4j.send;

import io.spead4j.ThreadPool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The rate limiter algorithm of SPEAD2-BEHAVIOUR §5.6, on a fake clock, and one loose real-time check. */
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
    void perHeapRateOverridesTheStreamRate() throws Exception {
        StreamConfig base = StreamConfig.DEFAULT.withMaxPacketSize(128).withBurstSize(0);
        Heap twoPackets = new Heap().addItem(0x1000, new byte[80 + 88], false);
        try (ThreadPool pool = new ThreadPool(1)) {
            // unlimited stream, 2000 B/s heap: the second packet waits 128 / 2000 s = 64 ms
            try (BytesStream s = new BytesStream(pool, base)) {
                long start = System.nanoTime();
                s.sendHeap(new HeapReference(twoPackets, -1, 0, 2000.0));
                assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(60_000_000L);
            }
            // 2000 B/s stream, heap with the stream's rate (negative): the same wait
            try (BytesStream s = new BytesStream(pool, base.withRate(2000))) {
                long start = System.nanoTime();
                s.sendHeap(new HeapReference(twoPackets, -1, 0, -1.0));
                assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(60_000_000L);
            }
            // 10 B/s stream, unlimited heap (rate 0): no wait (with the stream's rate it would take 12.8 s)
            try (BytesStream s = new BytesStream(pool, base.withRate(10))) {
                CompletableFuture<Long> f = s.sendHeapAsync(new HeapReference(twoPackets, -1, 0, 0.0));
                assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(256);
            }
        }
    }

    @Test
    void achievedRateIsTheConfiguredOne() throws IOException {
        // loose behaviour check on the real clock: 10 MiB at 50 MB/s into a discarding channel, about 0.2 s
        double rate = Double.parseDouble(System.getProperty("spead4j.test.rate", "50e6"));
        StreamConfig config = StreamConfig.DEFAULT.withMaxPacketSize(9000).withRate(rate).withMaxHeaps(32);
        byte[] data = new byte[1 << 20];
        WritableByteChannel discard = new WritableByteChannel() {
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
        };
        try (ThreadPool pool = new ThreadPool(1); ChannelStream s = new ChannelStream(pool, discard, config)) {
            s.sendHeap(new Heap().addItem(0x1000, data, false));
            long start = System.nanoTime();
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(s.sendHeapAsync(new Heap().addItem(0x1000, data, false)));
            }
            s.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = futures.stream().mapToLong(CompletableFuture::join).sum();
            assertThat(bytes).isGreaterThan(10L << 20);
            assertThat(bytes / seconds).isCloseTo(rate, within(0.1 * rate));
        }
    }
}
