package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.recv.TestAllocator.Kind;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;

import static io.spead4j.recv.TestPackets.singleHeap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Stream#getAsync()} never loses a heap: a future that is cancelled or times out leaves the next heap
 * to the next consumer, every heap goes to exactly one consumer, in order. Each test runs with the plain
 * allocator and with a {@link io.spead4j.MemoryPool}; a heap that vanished would leave a buffer never freed.
 * A lost heap used to make the next {@code get()} wait forever, hence the timeouts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GetAsyncTest {
    private static final ThreadPool pool = TestPools.shared();

    private static Stream stream(TestAllocator allocator, InprocQueue queue) {
        Stream stream = new Stream(pool, new StreamConfig().withMemoryAllocator(allocator),
                new RingStreamConfig(4, true, false));
        stream.addInprocReader(queue);
        return stream;
    }

    private static long release(HeapBase heap) {
        ((Heap) heap).release();
        return heap.cnt();
    }

    /** Waits until a thread blocks (parks), so what follows happens while it waits. */
    private static void awaitParked(Thread thread) throws InterruptedException {
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCancelledGetAsyncLeavesTheNextHeapToGet(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        try (Stream stream = stream(allocator, queue)) {
            CompletableFuture<HeapBase> first = stream.getAsync();
            queue.addPacket(singleHeap(1, 8));
            assertThat(release(first.get())).isEqualTo(1);

            CompletableFuture<HeapBase> cancelled = stream.getAsync();
            // the consumer waits a while for a heap, then gives up (no heap was sent: this always times out)
            assertThatThrownBy(() -> cancelled.get(20, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(cancelled.cancel(true)).isTrue();
            queue.addPacket(singleHeap(2, 8));
            assertThat(release(stream.get())).isEqualTo(2);
            assertThat(cancelled).isCancelled();

            queue.stop();
            assertThatThrownBy(stream::get).isInstanceOf(StoppedException.class);
        }
        assertThat(allocator.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aGetAsyncThatTimedOutLosesNothing(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        try (Stream stream = stream(allocator, queue)) {
            CompletableFuture<HeapBase> timedOut = stream.getAsync().orTimeout(10, TimeUnit.MILLISECONDS);
            assertThatThrownBy(timedOut::join).hasCauseInstanceOf(TimeoutException.class);
            queue.addPacket(singleHeap(1, 8));
            assertThat(release(stream.get())).isEqualTo(1);

            CompletableFuture<HeapBase> defaulted = stream.getAsync().completeOnTimeout(null, 10,
                    TimeUnit.MILLISECONDS);
            assertThat(defaulted.join()).isNull();
            queue.addPacket(singleHeap(2, 8));
            assertThat(release(stream.getAsync().get())).isEqualTo(2);

            CompletableFuture<HeapBase> timedOutAgain = stream.getAsync().orTimeout(10, TimeUnit.MILLISECONDS);
            assertThatThrownBy(timedOutAgain::join).hasCauseInstanceOf(TimeoutException.class);
            queue.addPacket(singleHeap(3, 8));
            queue.stop();
            List<Long> rest = new ArrayList<>();
            for (HeapBase h : stream) {
                rest.add(release(h));
            }
            assertThat(rest).containsExactly(3L);
        }
        assertThat(allocator.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBlockedGetAndAWaitingFutureShareHeapsInTheOrderTheyAsked(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        try (Stream stream = stream(allocator, queue)) {
            CompletableFuture<Long> blocked = new CompletableFuture<>();
            Thread consumer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    blocked.complete(release(stream.get()));
                } catch (Throwable t) {
                    blocked.completeExceptionally(t);
                }
            });
            awaitParked(consumer);
            CompletableFuture<HeapBase> waiting = stream.getAsync();
            queue.addPacket(singleHeap(1, 8));
            queue.addPacket(singleHeap(2, 8));
            assertThat(blocked.get()).isEqualTo(1);
            assertThat(release(waiting.get())).isEqualTo(2);
            queue.stop();
            assertThatThrownBy(() -> stream.getAsync().join()).hasCauseInstanceOf(StoppedException.class);
        }
        assertThat(allocator.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anInterruptedGetLeavesTheNextHeapToTheNextConsumer(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        try (Stream stream = stream(allocator, queue)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread consumer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    outcome.complete(new AssertionError("got heap " + release(stream.get())));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            awaitParked(consumer);
            consumer.interrupt();
            assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
            CompletableFuture<HeapBase> next = stream.getAsync();
            queue.addPacket(singleHeap(1, 8));
            assertThat(release(next.get())).isEqualTo(1);
            queue.stop();
            assertThatThrownBy(stream::get).isInstanceOf(StoppedException.class);
        }
        assertThat(allocator.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void manyFuturesSomeCancelledOrTimedOutReceiveEveryHeapExactlyOnceInOrder(Kind kind) throws Exception {
        int heaps = 400;
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        List<Long> received = new ArrayList<>();
        try (Stream stream = stream(allocator, queue)) {
            Thread producer = Thread.ofPlatform().daemon().start(() -> {
                for (int cnt = 1; cnt <= heaps; cnt++) {
                    queue.addPacket(singleHeap(cnt, 16));
                    if (cnt % 7 == 0) {
                        Thread.yield();
                    }
                }
                queue.stop();
            });
            Random random = new Random(42);
            boolean stopped = false;
            while (!stopped) {
                CompletableFuture<HeapBase> f = stream.getAsync();
                boolean mine = true;
                switch (random.nextInt(5)) {
                    case 0 -> mine = !f.cancel(false); // false: it was completed first, so the heap is ours
                    case 1 -> f.orTimeout(random.nextInt(2), TimeUnit.MILLISECONDS);
                    case 2 -> f.completeOnTimeout(null, random.nextInt(2), TimeUnit.MILLISECONDS);
                    default -> {
                        // wait for it
                    }
                }
                if (mine) {
                    stopped = take(f, received);
                }
            }
            producer.join();
        }
        assertThat(received).containsExactlyElementsOf(LongStream.rangeClosed(1, heaps).boxed().toList());
        assertThat(allocator.allocations()).isEqualTo(heaps);
        assertThat(allocator.outstanding()).isZero();
    }

    /** Takes the outcome of a future: a heap (recorded, released), nothing, or the end. @return true at the end */
    private static boolean take(CompletableFuture<HeapBase> f, List<Long> received) throws InterruptedException {
        try {
            HeapBase heap = f.get();
            if (heap != null) {
                received.add(release(heap));
            }
            return false;
        } catch (CancellationException e) {
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                return false;
            }
            assertThat(e.getCause()).isInstanceOf(StoppedException.class);
            return true;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void concurrentConsumersMixingGetAndCancelledFuturesShareEveryHeapExactlyOnce(Kind kind) throws Exception {
        int heaps = 600;
        int consumers = 4;
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        List<Long> received = Collections.synchronizedList(new ArrayList<>());
        try (Stream stream = stream(allocator, queue)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                Random random = new Random(c);
                CompletableFuture<Void> finished = new CompletableFuture<>();
                done.add(finished);
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        boolean stopped = false;
                        while (!stopped) {
                            int choice = random.nextInt(4);
                            if (choice == 0) {
                                try {
                                    received.add(release(stream.get()));
                                } catch (StoppedException e) {
                                    stopped = true;
                                }
                                continue;
                            }
                            CompletableFuture<HeapBase> f = stream.getAsync();
                            if (choice == 1 && f.cancel(false)) {
                                continue;
                            }
                            if (choice == 2) {
                                f.orTimeout(1, TimeUnit.MILLISECONDS);
                            }
                            stopped = take(f, received);
                        }
                        finished.complete(null);
                    } catch (Throwable t) {
                        finished.completeExceptionally(t);
                    }
                });
            }
            for (int cnt = 1; cnt <= heaps; cnt++) {
                queue.addPacket(singleHeap(cnt, 16));
            }
            queue.stop();
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, heaps).boxed().toList());
        assertThat(allocator.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void getAsyncOnAStoppedEmptyStreamFailsAtOnceAndPendingOnesFailAtStop(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        Stream stream = stream(allocator, queue);
        CompletableFuture<HeapBase> pending = stream.getAsync();
        stream.stop();
        assertThat(pending).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(StoppedException.class);
        assertThat(stream.getAsync()).isCompletedExceptionally();
        stream.close();
    }
}
