package io.spead4j.net;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tasks posted to an {@link EventLoop} from other threads are never left waiting: every {@code execute} is
 * followed by a run of the task while the loop sleeps in {@code epoll_wait} with no other event to wake it.
 * Several posters race the loop's handling of its wake-up eventfd, which is where a lost wake-up would hide.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventLoopWakeTest {
    /** Round trips per poster: enough to hit the window between draining the eventfd and clearing the flag. */
    private static final int ROUND_TRIPS = 40_000;
    private static final int POSTERS = 3;
    /** A task not run within this time was lost (the loop has nothing else to do). */
    private static final long LOST_AFTER_SECONDS = 10;

    @Test
    void everyPostedTaskRunsWhileSeveralThreadsPostAtOnce() throws Exception {
        Assumptions.assumeTrue(EventLoop.isSupported(), () -> "no event loops here: " + EventLoop.unsupportedReason());
        EventLoop loop = new EventLoop("wake-test");
        Thread loopThread = Thread.ofPlatform().name("wake-test-loop").start(loop);
        AtomicReference<String> lost = new AtomicReference<>();
        List<Thread> posters = new ArrayList<>();
        try {
            for (int p = 0; p < POSTERS; p++) {
                int poster = p;
                posters.add(Thread.ofPlatform().name("poster-" + p).start(() -> {
                    try {
                        for (int i = 0; i < ROUND_TRIPS && lost.get() == null; i++) {
                            CountDownLatch ran = new CountDownLatch(1);
                            loop.execute(ran::countDown);
                            if (!ran.await(LOST_AFTER_SECONDS, TimeUnit.SECONDS)) {
                                lost.compareAndSet(null, "poster " + poster + ": task " + i + " never ran");
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (Thread t : posters) {
                t.join();
            }
            assertThat(lost.get()).as("a task posted to a sleeping loop was not run").isNull();
        } finally {
            loop.shutdown();
            loopThread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(loop.hasEnded()).isTrue();
    }
}
