package io.spead4j.send;

import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * No dead or stuck writer can hang a send stream: a writer killed by any {@link Throwable} fails every
 * queued and later heap with that cause, {@code flush()} and {@code close()} return, and a thread waiting in
 * {@code flush()} or {@code close()} can be interrupted. Every blocking call runs under a hang guard, so a
 * hang shows up as a failure.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WriterFailureTest {
    private static final ThreadPool pool = TestPools.shared();
    /** Generous bound on anything that must not block forever; not a timing assertion. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final StreamConfig CONFIG = StreamConfig.DEFAULT.withMaxPacketSize(128).withMaxHeaps(8);

    /** An {@code Error} that a test channel throws to kill the writer. */
    static final class WriterKillingError extends Error {
        private static final long serialVersionUID = 1L;

        WriterKillingError(String message) {
            super(message);
        }
    }

    /** A checked exception that is neither an IOException nor a RuntimeException. */
    static final class UndeclaredCheckedException extends Exception {
        private static final long serialVersionUID = 1L;

        UndeclaredCheckedException(String message) {
            super(message);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * A user channel that accepts writes until its {@code failOnWrite}-th call; that call waits until
     * {@link #release} is counted down, then throws {@link #failure} (sneakily if it is checked).
     */
    static final class FailingChannel implements WritableByteChannel {
        final int failOnWrite;
        final Throwable failure;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writes = new AtomicInteger();
        volatile long bytes;

        FailingChannel(int failOnWrite, Throwable failure) {
            this.failOnWrite = failOnWrite;
            this.failure = failure;
        }

        @Override
        public int write(ByteBuffer src) {
            if (writes.incrementAndGet() == failOnWrite) {
                entered.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("test never released the failing write");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw sneakyThrow(failure);
            }
            int n = src.remaining();
            src.position(src.limit());
            bytes += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // the stream does not close a user channel
        }
    }

    /** A transport whose every batch waits until released: holds the writer inside a transport call. */
    static final class GatedStream extends Stream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        GatedStream() {
            super(pool, CONFIG, 1);
        }

        @Override
        protected void writePackets(PacketBatch batch) {
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test never released the writer");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Heap heap(int seed) {
        return new Heap().addItem(0x1000 + seed, new byte[200], false);
    }

    private static void awaitLatch(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).as("latch reached").isTrue();
    }

    /** The future must fail (within the hang guard) with an IOException caused by exactly {@code cause}. */
    private static void assertFailsWith(CompletableFuture<Long> future, Throwable cause) {
        ExecutionException e = catchThrowableOfType(ExecutionException.class,
                () -> future.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS));
        assertThat(e).as("future failed").isNotNull();
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        assertThat(e.getCause().getCause()).isSameAs(cause);
    }

    /**
     * Heap 0 goes out; the writer dies in the second write while heaps 1..7 are queued behind it: all of them
     * fail with the cause, later sends fail at once, flush and close return.
     */
    private static void writerKilledBy(Throwable cause) throws Exception {
        FailingChannel channel = new FailingChannel(2, cause);
        ChannelStream s = new ChannelStream(pool, channel, CONFIG);
        long first = assertTimeoutPreemptively(HANG_GUARD, () -> s.sendHeap(heap(0)));
        assertThat(first).isPositive();
        List<CompletableFuture<Long>> pending = new ArrayList<>();
        pending.add(s.sendHeapAsync(heap(1)));
        awaitLatch(channel.entered);
        for (int i = 2; i < CONFIG.maxHeaps() + 1; i++) {
            pending.add(s.sendHeapAsync(heap(i)));
        }
        assertThat(pending).hasSize(CONFIG.maxHeaps()).noneMatch(CompletableFuture::isDone);
        channel.release.countDown();

        for (CompletableFuture<Long> f : pending) {
            assertFailsWith(f, cause);
        }
        assertTimeoutPreemptively(HANG_GUARD, s::flush);

        // later sends: the future fails before sendHeapAsync returns; the blocking send throws
        CompletableFuture<Long> later = s.sendHeapAsync(heap(100));
        assertThat(later).isCompletedExceptionally();
        assertFailsWith(later, cause);
        CompletableFuture<Long> laterGroup = s.sendHeapsAsync(
                List.of(new HeapReference(heap(101)), new HeapReference(heap(102))), GroupMode.ROUND_ROBIN);
        assertThat(laterGroup).isCompletedExceptionally();
        assertFailsWith(laterGroup, cause);
        IOException thrown = catchThrowableOfType(IOException.class,
                () -> assertTimeoutPreemptively(HANG_GUARD, () -> s.sendHeap(heap(103))));
        assertThat(thrown).as("sendHeap threw").isNotNull();
        assertThat(thrown.getCause()).isSameAs(cause);

        assertTimeoutPreemptively(HANG_GUARD, s::flush);
        assertTimeoutPreemptively(HANG_GUARD, s::close);
        assertTimeoutPreemptively(HANG_GUARD, s::close);
        assertThatIllegalStateException().isThrownBy(() -> s.sendHeapAsync(heap(104)));
        // only heap 0 reached the channel: nothing was written after the failure
        assertThat(channel.writes.get()).isEqualTo(2);
    }

    @Test
    void writerKilledByAnErrorFailsEveryPendingAndLaterHeap() throws Exception {
        writerKilledBy(new WriterKillingError("injected error"));
    }

    @Test
    void writerKilledByAnUndeclaredCheckedExceptionFailsEveryPendingAndLaterHeap() throws Exception {
        writerKilledBy(new UndeclaredCheckedException("injected checked exception"));
    }

    @Test
    void writerKilledByAnErrorBeforeAnyHeapCompletedReleasesABlockedSender() throws Exception {
        WriterKillingError cause = new WriterKillingError("dies on the first write");
        FailingChannel channel = new FailingChannel(1, cause);
        channel.release.countDown();
        try (ChannelStream s = new ChannelStream(pool, channel, CONFIG)) {
            IOException thrown = catchThrowableOfType(IOException.class,
                    () -> assertTimeoutPreemptively(HANG_GUARD, () -> s.sendHeap(heap(0))));
            assertThat(thrown).as("sendHeap threw").isNotNull();
            assertThat(thrown.getCause()).isSameAs(cause);
            assertTimeoutPreemptively(HANG_GUARD, s::flush);
        }
    }

    @Test
    void runtimeExceptionFromTheTransportFailsItsHeapsAndTheStreamGoesOn() throws Exception {
        IllegalStateException cause = new IllegalStateException("channel refused the batch");
        FailingChannel channel = new FailingChannel(2, cause);
        channel.release.countDown();
        try (ChannelStream s = new ChannelStream(pool, channel, CONFIG)) {
            long size = assertTimeoutPreemptively(HANG_GUARD, () -> s.sendHeap(heap(0)));
            assertFailsWith(s.sendHeapAsync(heap(1)), cause);
            // the writer survived: the next heap is written
            assertThat(assertTimeoutPreemptively(HANG_GUARD, () -> s.sendHeap(heap(2)))).isEqualTo(size);
            assertThat(channel.bytes).isEqualTo(2 * size);
        }
    }

    @Test
    void stoppedInprocQueueAbortsOnlyTheHeapsSentToItAndTheStreamGoesOn() throws Exception {
        InprocQueue running = new InprocQueue();
        InprocQueue stopped = new InprocQueue();
        stopped.stop();
        InprocStream s = new InprocStream(pool, List.of(running, stopped), CONFIG);
        CompletableFuture<Long> aborted = s.sendHeapAsync(heap(1), -1, 1);
        CompletableFuture<Long> group = s.sendHeapsAsync(List.of(new HeapReference(heap(2), -1, 0),
                new HeapReference(heap(3), -1, 1)), GroupMode.ROUND_ROBIN);
        CompletableFuture<Long> delivered = s.sendHeapAsync(heap(4), -1, 0);
        assertTimeoutPreemptively(HANG_GUARD, s::flush);
        for (CompletableFuture<Long> f : List.of(aborted, group)) {
            assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IOException.class).hasMessageContaining("operation aborted");
        }
        assertThat(delivered).isCompletedWithValue(new PacketGenerator(heap(4), 4, 128).packets().stream()
                .mapToLong(p -> p.length).sum());
        // heap 2's packets (on the running queue) were delivered, then heap 4's
        int heap2Packets = new PacketGenerator(heap(2), 2, 128).packets().size();
        int heap4Packets = new PacketGenerator(heap(4), 4, 128).packets().size();
        assertThat(running.size()).isEqualTo(heap2Packets + heap4Packets);
        assertThat(assertTimeoutPreemptively(HANG_GUARD, () -> s.sendHeap(heap(5), -1, 0))).isPositive();
        assertTimeoutPreemptively(HANG_GUARD, s::close);
    }

    @Test
    void interruptingAThreadBlockedInFlushReleasesItWithItsInterruptStatusSet() throws Exception {
        GatedStream s = new GatedStream();
        CompletableFuture<Long> f = s.sendHeapAsync(heap(1));
        awaitLatch(s.entered);
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        CountDownLatch returned = new CountDownLatch(1);
        Thread flusher = Thread.ofPlatform().daemon().start(() -> {
            s.flush();
            interruptedAfter.set(Thread.currentThread().isInterrupted());
            returned.countDown();
        });
        awaitWaiting(flusher);
        flusher.interrupt();
        awaitLatch(returned);
        assertThat(interruptedAfter).isTrue();
        assertThat(f).isNotDone();

        // the heap was not abandoned: once the writer goes on it completes, and a later flush waits for it
        s.release.countDown();
        assertTimeoutPreemptively(HANG_GUARD, s::flush);
        assertThat(f).isCompleted();
        assertThat(f.get()).isPositive();
        assertTimeoutPreemptively(HANG_GUARD, s::close);
    }

    @Test
    void flushCalledWithTheInterruptStatusSetReturnsAtOnceAndKeepsIt() throws Exception {
        GatedStream s = new GatedStream();
        CompletableFuture<Long> f = s.sendHeapAsync(heap(1));
        awaitLatch(s.entered);
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            Thread.currentThread().interrupt();
            s.flush();
            assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
        });
        assertThat(f).isNotDone();
        s.release.countDown();
        assertTimeoutPreemptively(HANG_GUARD, s::close);
        assertThat(f).isCompleted();
    }

    @Test
    void interruptingAThreadBlockedInCloseReleasesItAndQueuedHeapsStillComplete() throws Exception {
        GatedStream s = new GatedStream();
        CompletableFuture<Long> f = s.sendHeapAsync(heap(1));
        CompletableFuture<Long> g = s.sendHeapAsync(heap(2));
        awaitLatch(s.entered);
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        CountDownLatch returned = new CountDownLatch(1);
        Thread closer = Thread.ofPlatform().daemon().start(() -> {
            s.close();
            interruptedAfter.set(Thread.currentThread().isInterrupted());
            returned.countDown();
        });
        awaitWaiting(closer);
        closer.interrupt();
        awaitLatch(returned);
        assertThat(interruptedAfter).isTrue();
        assertThatIllegalStateException().isThrownBy(() -> s.sendHeapAsync(heap(3)));
        s.release.countDown();
        assertThat(f.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isPositive();
        assertThat(g.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isPositive();
        assertTimeoutPreemptively(HANG_GUARD, s::close);
    }

    /** Waits (bounded by the class timeout) until the thread is parked in a wait. */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertThat(t.isAlive()).as("thread still blocked").isTrue();
            Thread.sleep(1);
        }
    }
}
