package io.spead4j.net;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The timer slack a pacing send-stream writer lowers on its own thread. */
class TimerSlackTest {
    @Test
    void setsTheCallingThreadsSlackAndNoOtherThreads() throws InterruptedException {
        assumeTrue(Libc.unsupportedReason() == null, () -> "no native calls here: " + Libc.unsupportedReason());
        long mine = TimerSlack.currentThread();
        AtomicLong before = new AtomicLong();
        AtomicLong after = new AtomicLong();
        AtomicLong set = new AtomicLong();
        Thread t = new Thread(() -> {
            before.set(TimerSlack.currentThread());
            set.set(TimerSlack.setForCurrentThread(TimerSlack.PACING_NANOS) ? 1 : 0);
            after.set(TimerSlack.currentThread());
        });
        t.start();
        t.join();
        assertThat(before.get()).isPositive().isNotEqualTo(TimerSlack.PACING_NANOS);
        assertThat(set.get()).isEqualTo(1);
        assertThat(after.get()).isEqualTo(TimerSlack.PACING_NANOS);
        assertThat(TimerSlack.currentThread()).isEqualTo(mine);
    }

    @Test
    void rejectsZeroWhichWouldMeanTheDefault() {
        assertThatThrownBy(() -> TimerSlack.setForCurrentThread(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 ns");
    }
}
