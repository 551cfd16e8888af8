package io.spead4j.net;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task that posts itself again (a reader taking its share of a source that always has more, as the in-process
 * reader does) does not starve the loop's descriptors: the loop runs only the tasks queued when it turns to
 * them, then looks at its descriptors before running the re-posted one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventLoopFairnessTest {
    @Test
    void aTaskThatPostsItselfAgainLeavesTheLoopToItsDescriptors() throws Exception {
        Assumptions.assumeTrue(EventLoop.isSupported(), () -> "no event loops here: " + EventLoop.unsupportedReason());
        EventLoop loop = new EventLoop("fairness-test");
        Thread loopThread = Thread.ofPlatform().name("fairness-test-loop").start(loop);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong turns = new AtomicLong();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch readable = new CountDownLatch(1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
            int fd = Libc.eventfd(capture, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            assertThat(fd).isNotNegative();
            java.util.concurrent.atomic.AtomicReference<EventLoop.Registration> registration =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Runnable[] spinner = new Runnable[1];
            spinner[0] = () -> {
                if (turns.incrementAndGet() == 1000) {
                    busy.countDown();
                }
                if (!stop.get()) {
                    loop.execute(spinner[0]);
                }
            };
            loop.execute(() -> {
                try {
                    registration.set(loop.register(fd, EventLoop.READABLE, events -> readable.countDown()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                spinner[0].run();
            });
            assertThat(busy.await(10, TimeUnit.SECONDS)).as("the self-posting task runs").isTrue();
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            assertThat(Libc.write(capture, fd, one, 8)).isEqualTo(8);
            assertThat(readable.await(10, TimeUnit.SECONDS))
                    .as("a descriptor made readable while a task keeps posting itself is served").isTrue();
            long before = turns.get();
            stop.set(true);
            assertThat(before).as("the task kept posting itself meanwhile").isGreaterThanOrEqualTo(1000);
            CountDownLatch closed = new CountDownLatch(1);
            loop.execute(() -> {
                registration.get().cancel();
                Libc.close(capture, fd);
                closed.countDown();
            });
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            stop.set(true);
            loop.shutdown();
            loopThread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(loop.hasEnded()).isTrue();
    }
}
