package io.spead4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The queue's own contract: FIFO, copies, chunk boundaries, growth, stop and timed pops. */
class InprocQueueTest {
    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    @Test
    void keepsOrderAcrossChunksAndGrowth() throws InterruptedException {
        InprocQueue queue = new InprocQueue();
        int n = 3000; // more entries than the initial ring, more bytes than one chunk
        for (int i = 0; i < n; i++) {
            queue.addPacket(pattern(1000 + i % 17, i));
        }
        queue.addPacket(pattern(InprocQueue.CHUNK_SIZE + 5, -1)); // larger than a chunk
        assertThat(queue.size()).isEqualTo(n + 1);
        InprocQueue.Packet p = new InprocQueue.Packet();
        for (int i = 0; i < n; i++) {
            assertThat(queue.pop(p)).isTrue();
            assertThat(p.toByteArray()).isEqualTo(pattern(1000 + i % 17, i));
        }
        assertThat(queue.pop()).isEqualTo(pattern(InprocQueue.CHUNK_SIZE + 5, -1));
        assertThat(queue.tryPop(p)).isFalse();
        assertThat(queue.pop(p, 10, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(queue.isStopped()).isFalse();
    }

    @Test
    void copiesEveryKindOfSourceAndRefusesAfterStop() throws InterruptedException {
        InprocQueue queue = new InprocQueue();
        byte[] array = {1, 2, 3, 4, 5};
        queue.addPacket(array, 1, 3);
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {9, 8, 7});
        buffer.position(1);
        queue.addPacket(buffer);
        assertThat(buffer.position()).isEqualTo(1);
        array[2] = 0;
        queue.stop();
        queue.stop(); // idempotent
        assertThatIllegalStateException().isThrownBy(() -> queue.addPacket(new byte[1]));
        assertThatIllegalArgumentException().isThrownBy(() -> queue.addPacket(java.lang.foreign.MemorySegment.ofArray(array), 0, -1));
        assertThat(queue.pop()).containsExactly(2, 3, 4);
        assertThat(queue.pop(1, TimeUnit.SECONDS)).containsExactly(8, 7);
        assertThat(queue.pop()).isNull();
        assertThat(queue.tryPop()).isNull();
    }

    @Test
    void aWaitingConsumerWakesForAPacketAndForStop() throws Exception {
        InprocQueue queue = new InprocQueue();
        byte[][] got = new byte[2][];
        Thread consumer = new Thread(() -> {
            try {
                got[0] = queue.pop();
                got[1] = queue.pop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        queue.addPacket(new byte[] {42});
        queue.stop();
        consumer.join(10_000);
        assertThat(consumer.isAlive()).isFalse();
        assertThat(got[0]).containsExactly(42);
        assertThat(got[1]).isNull();
    }

    @Test
    void stopWakesEveryWaitingConsumer() throws Exception {
        InprocQueue queue = new InprocQueue();
        int consumers = 4;
        CountDownLatch returned = new CountDownLatch(consumers);
        ConcurrentLinkedQueue<Object> results = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Thread t = Thread.ofPlatform().daemon().name("consumer-" + i).start(() -> {
                try {
                    byte[] packet = queue.pop();
                    results.add(packet == null ? "stopped" : packet);
                } catch (Throwable e) {
                    results.add(e);
                } finally {
                    returned.countDown();
                }
            });
            threads.add(t);
        }
        try {
            // stop() must find them all inside pop()'s wait, or the test could not tell notify from notifyAll
            while (!threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
                Thread.sleep(1);
            }
            queue.stop();
            // a bound far beyond any scheduling delay, only so a lost wake-up fails instead of hanging
            assertThat(returned.await(20, TimeUnit.SECONDS))
                    .as("all %d consumers returned after stop(), %d still waiting", consumers, returned.getCount())
                    .isTrue();
            assertThat(results).containsExactly("stopped", "stopped", "stopped", "stopped");
        } finally {
            threads.forEach(Thread::interrupt);
        }
    }
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void listenersAreToldOfEachPacketAndOfTheFirstStopOnTheCallersThreadOutsideTheLock() throws Exception {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(new byte[] {1}); // queued before the listener: not signalled
        List<String> calls = new ArrayList<>();
        InprocQueue.Packet p = new InprocQueue.Packet();
        Runnable listener = () -> {
            // outside the queue's lock: another thread can take the packet while the listener runs
            Thread taker = Thread.ofPlatform().daemon().start(() -> queue.tryPop(p));
            try {
                taker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            calls.add(Thread.currentThread().getName() + ":" + queue.size() + ":" + queue.isStopped());
        };
        queue.addListener(listener);
        Thread sender = Thread.ofPlatform().name("sender").start(() -> {
            queue.addPacket(new byte[] {2});
            queue.stop();
            queue.stop(); // a second stop tells nobody
        });
        sender.join(10_000);
        assertThat(sender.isAlive()).isFalse();
        // the packet was visible to the taker when the listener ran: it took packet 1, then 2
        assertThat(calls).containsExactly("sender:1:false", "sender:0:true");
        assertThat(p.toByteArray()).containsExactly(2);
        queue.removeListener(listener);
        queue.removeListener(listener); // not there any more: nothing happens
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aRemovedListenerIsNotCalledAndAThrowingOneDoesNotLoseThePacket() {
        InprocQueue queue = new InprocQueue();
        List<String> calls = new ArrayList<>();
        Runnable a = () -> calls.add("a");
        Runnable b = () -> calls.add("b");
        Runnable bad = () -> {
            throw new IllegalStateException("bad listener");
        };
        queue.addListener(a);
        queue.addListener(bad);
        queue.addListener(b);
        assertThatIllegalStateException().isThrownBy(() -> queue.addPacket(new byte[] {7}))
                .withMessage("bad listener");
        assertThat(calls).containsExactly("a", "b"); // the others still ran
        assertThat(queue.size()).isEqualTo(1);
        queue.removeListener(bad);
        queue.removeListener(a);
        queue.addPacket(new byte[] {8});
        assertThat(calls).containsExactly("a", "b", "b");
        assertThat(queue.tryPop()).containsExactly(7);
        assertThat(queue.tryPop()).containsExactly(8);
    }
}
