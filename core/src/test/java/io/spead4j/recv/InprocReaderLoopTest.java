package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.net.EventLoop;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.spead4j.recv.TestPackets.singleHeap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The in-process reader on a pool with event loops: the queue wakes it on a loop of the pool, so it takes
 * no thread of its own, and a busy queue shares its loop fairly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InprocReaderLoopTest {
    private static final int STREAMS = 16;

    @BeforeEach
    void assumeLoops() {
        Assumptions.assumeTrue(EventLoop.isSupported(), () -> "no event loops here: " + EventLoop.unsupportedReason());
    }

    /** A callback stream handing each heap to a consumer (on the reader's loop thread). */
    private static final class Calls extends CallbackStream {
        private final Consumer<HeapBase> onHeap;

        Calls(ThreadPool pool, Consumer<HeapBase> onHeap) {
            super(pool, new StreamConfig());
            this.onHeap = onHeap;
        }

        @Override
        protected void heapReady(HeapBase heap) {
            onHeap.accept(heap);
            if (heap instanceof Heap h) {
                h.release();
            }
        }
    }

    /** @return the only loop of a pool of one thread */
    private static EventLoop loopOf(ThreadPool pool) {
        assertThat(pool.threads()).isEqualTo(1);
        return (EventLoop) pool.nextEventLoop();
    }

    /** @return the name prefix of the pool's threads, {@code spead4j-poolN-}, from its loop thread's name */
    private static String threadPrefix(ThreadPool pool) throws Exception {
        CompletableFuture<String> name = new CompletableFuture<>();
        loopOf(pool).execute(() -> name.complete(Thread.currentThread().getName()));
        String loopName = name.get(30, TimeUnit.SECONDS);
        assertThat(loopName).matches("spead4j-pool\\d+-1");
        return loopName.substring(0, loopName.length() - 1);
    }

    /** @return the names of the live threads of the pool that run blocking tasks */
    private static List<String> blockingThreads(String prefix) {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix + "blocking-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** Closes the pool and waits until its loop has ended, which it does only once every reader let go of it. */
    private static void closeAndAwaitLoopEnd(ThreadPool pool, ThreadPool.Loop loop) throws InterruptedException {
        pool.close();
        while (!loop.hasEnded()) {
            Thread.sleep(1);
        }
    }

    @Test
    void sixteenInprocReadersShareTheOneLoopThreadOfTheirPoolAndTakeNoBlockingThread() throws Exception {
        try (ThreadPool pool = new ThreadPool(1)) {
            String prefix = threadPrefix(pool);
            List<InprocQueue> queues = new ArrayList<>();
            List<Stream> streams = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                InprocQueue queue = new InprocQueue();
                Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(8, true, false));
                stream.addInprocReader(queue);
                queues.add(queue);
                streams.add(stream);
            }
            for (int round = 1; round <= 3; round++) {
                for (int i = 0; i < STREAMS; i++) {
                    queues.get(i).addPacket(singleHeap(round, 8 + i));
                }
            }
            for (int i = 0; i < STREAMS; i++) {
                for (int round = 1; round <= 3; round++) {
                    HeapBase h = streams.get(i).get();
                    assertThat(h.cnt()).as("stream %d, round %d", i, round).isEqualTo(round);
                    assertThat(h.items().getFirst().bytes()).hasSize(8 + i);
                    ((Heap) h).release();
                }
            }
            // a blocking thread lingers for a minute after its task, so one used by any reader is still alive
            assertThat(blockingThreads(prefix)).as("blocking threads of the pool serving %d in-process readers",
                    STREAMS).isEmpty();
            for (int i = 0; i < STREAMS; i++) {
                queues.get(i).stop();
            }
            for (Stream stream : streams) {
                stream.awaitStopped();
                assertThat(stream.failure()).isEmpty();
                assertThatThrownBy(stream::get).isInstanceOf(StoppedException.class);
            }
            assertThat(blockingThreads(prefix)).isEmpty();
        }
    }

    @Test
    void dataSentBeforeTheReceiverExistsIsReceivedFromAQueueStillOpen() throws Exception {
        InprocQueue queue = new InprocQueue();
        int n = 200; // more than one drain takes
        for (int i = 1; i <= n; i++) {
            queue.addPacket(singleHeap(i, 16));
        }
        try (ThreadPool pool = new ThreadPool(1)) {
            Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(n + 1, true, false));
            stream.addInprocReader(queue);
            for (int i = 1; i <= n; i++) {
                assertThat(stream.get().cnt()).isEqualTo(i);
            }
            queue.addPacket(singleHeap(n + 1, 16)); // the reader went idle: a new packet wakes it
            assertThat(stream.get().cnt()).isEqualTo(n + 1);
            queue.stop();
            stream.awaitStopped();
            assertThat(stream.getStats().packets()).isEqualTo(n + 1);
        }
    }

    @Test
    void stoppingAStreamWhoseQueueNeverGetsAPacketEndsItsReader() throws Exception {
        InprocQueue queue = new InprocQueue();
        ThreadPool pool = new ThreadPool(1);
        ThreadPool.Loop loop = pool.nextEventLoop();
        Stream stream = new Stream(pool, new StreamConfig());
        stream.addInprocReader(queue);
        stream.stop();
        stream.awaitStopped();
        assertThatThrownBy(stream::get).isInstanceOf(StoppedException.class);
        closeAndAwaitLoopEnd(pool, loop); // the reader let go of its loop
        queue.addPacket(singleHeap(1, 8)); // nobody listens any more
        assertThat(queue.size()).isEqualTo(1);
        queue.stop();
    }

    @Test
    void aStreamStoppedBeforeItsReaderReachedTheLoopEndsTheReader() throws Exception {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(singleHeap(1, 8));
        ThreadPool pool = new ThreadPool(1);
        EventLoop loop = loopOf(pool);
        CountDownLatch hold = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Stream stream = new Stream(pool, new StreamConfig());
        stream.addInprocReader(queue); // its start waits behind the held loop
        stream.stop();
        hold.countDown();
        stream.awaitStopped();
        closeAndAwaitLoopEnd(pool, loop);
        assertThat(stream.getStats().packets()).isZero();
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void stoppingTheQueueEndsTheStreamAndTheReader() throws Exception {
        InprocQueue queue = new InprocQueue();
        ThreadPool pool = new ThreadPool(1);
        ThreadPool.Loop loop = pool.nextEventLoop();
        Stream stream = new Stream(pool, new StreamConfig());
        stream.addInprocReader(queue);
        for (int i = 1; i <= 3; i++) {
            queue.addPacket(singleHeap(i, 8));
            assertThat(stream.get().cnt()).isEqualTo(i);
        }
        queue.stop();
        stream.awaitStopped();
        assertThatThrownBy(stream::get).isInstanceOf(StoppedException.class);
        assertThat(stream.failure()).isEmpty();
        assertThat(stream.getStats().packets()).isEqualTo(3);
        closeAndAwaitLoopEnd(pool, loop);
    }

    @Test
    void twoReceiversOnOneQueueOnTwoLoopsGetEveryOnePacketHeapExactlyOnce() throws Exception {
        InprocQueue queue = new InprocQueue();
        int n = 3000;
        List<Long> a = new CopyOnWriteArrayList<>();
        List<Long> b = new CopyOnWriteArrayList<>();
        try (ThreadPool pool = new ThreadPool(2)) {
            Calls first = new Calls(pool, h -> a.add(h.cnt()));
            Calls second = new Calls(pool, h -> b.add(h.cnt()));
            first.addInprocReader(queue);
            second.addInprocReader(queue);
            for (int i = 1; i <= n; i++) {
                queue.addPacket(singleHeap(i, 4));
            }
            queue.stop();
            first.awaitStopped();
            second.awaitStopped();
            TreeSet<Long> all = new TreeSet<>(a);
            all.addAll(b);
            assertThat(a.size() + b.size()).isEqualTo(n);
            assertThat(all).hasSize(n);
            assertThat(all.first()).isEqualTo(1L);
            assertThat(all.last()).isEqualTo((long) n);
            assertThat(first.getStats().packets() + second.getStats().packets()).isEqualTo(n);
        }
    }

    @Test
    void aBusyQueueLeavesItsLoopToAnotherStreamAfterEachBudget() throws Exception {
        int n = 2000;
        InprocQueue busy = new InprocQueue();
        for (int i = 1; i <= n; i++) {
            busy.addPacket(singleHeap(i, 4));
        }
        busy.stop();
        InprocQueue small = new InprocQueue();
        for (int i = 1; i <= 10; i++) {
            small.addPacket(singleHeap(i, 4));
        }
        small.stop();
        List<Long> busyHeaps = new CopyOnWriteArrayList<>();
        List<Integer> busyLeftAtSmallHeaps = new CopyOnWriteArrayList<>();
        try (ThreadPool pool = new ThreadPool(1)) {
            EventLoop loop = loopOf(pool);
            CountDownLatch hold = new CountDownLatch(1);
            loop.execute(() -> { // both readers start together, the busy one first
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Calls busyStream = new Calls(pool, h -> busyHeaps.add(h.cnt()));
            Calls smallStream = new Calls(pool, h -> busyLeftAtSmallHeaps.add(busy.size()));
            busyStream.addInprocReader(busy);
            smallStream.addInprocReader(small);
            hold.countDown();
            busyStream.awaitStopped();
            smallStream.awaitStopped();
            assertThat(busyHeaps).hasSize(n);
            assertThat(busyLeftAtSmallHeaps).hasSize(10);
            // the small stream was served after one budget of the busy queue, not after all of it
            assertThat(busyLeftAtSmallHeaps).allSatisfy(left ->
                    assertThat(left).isGreaterThanOrEqualTo(n - 2 * InprocReader.FAIRNESS_PACKETS));
        }
    }

    @Test
    void anErrorFromTheCallbackOnTheLoopStopsTheStreamAndEndsTheReader() throws Exception {
        InprocQueue queue = new InprocQueue();
        ThreadPool pool = new ThreadPool(1);
        ThreadPool.Loop loop = pool.nextEventLoop();
        AssertionError boom = new AssertionError("boom");
        Calls stream = new Calls(pool, h -> {
            throw boom;
        });
        stream.addInprocReader(queue);
        queue.addPacket(singleHeap(1, 8));
        stream.awaitStopped();
        assertThat(stream.failure()).containsSame(boom);
        closeAndAwaitLoopEnd(pool, loop);
        queue.stop();
    }
}
