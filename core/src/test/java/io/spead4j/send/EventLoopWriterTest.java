package io.spead4j.send;

import io.spead4j.ThreadPool;
import io.spead4j.net.EventLoop;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer on an event loop whose transport stalls (as a full socket does: it returns with the batch half
 * sent and resumes the writer later on the loop) loses, repeats and reorders nothing, and completes every heap
 * with its bytes; and rate-limited writers pause on the loop's timer. The stall is simulated by the transport
 * itself, because loopback UDP never fills a socket buffer.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventLoopWriterTest {
    /** Delivers each batch in two calls: the first sends half and stalls, the loop resumes it later. */
    static final class StallingStream extends Stream {
        final List<Integer> packets = new ArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        int stalls;
        private int deliveredOfBatch;

        StallingStream(ThreadPool pool, StreamConfig config) {
            super(pool, config, 1);
            runWriterOn((EventLoop) pool.nextEventLoop());
        }

        @Override
        protected void writePackets(PacketBatch batch) {
            throw new AssertionError("a stream on an event loop sends through writePacketsReady");
        }

        @Override
        boolean writePacketsReady(PacketBatch batch) {
            assertThat(writerLoop().inLoopThread()).isTrue();
            threads.add(Thread.currentThread().getName());
            int half = (batch.size() + 1) / 2;
            int end = deliveredOfBatch == 0 ? half : batch.size();
            for (int i = deliveredOfBatch; i < end; i++) {
                packets.add(batch.length(i));
            }
            if (end < batch.size()) {
                deliveredOfBatch = end;
                stalls++;
                writerLoop().execute(this::resumeWriter); // "the socket became writable"
                return false;
            }
            deliveredOfBatch = 0;
            return true;
        }
    }

    private static void assumeLoops(ThreadPool pool) {
        Assumptions.assumeTrue(pool.hasEventLoops(), "no event loops here");
    }

    @Test
    void aStalledBatchIsResumedWhereItStopped() throws Exception {
        try (ThreadPool pool = new ThreadPool(1)) {
            assumeLoops(pool);
            StallingStream stream = new StallingStream(pool,
                    StreamConfig.DEFAULT.withMaxPacketSize(1000).withMaxHeaps(64));
            MemorySegment payload = Arena.ofAuto().allocate(50_000);
            List<CompletableFuture<Long>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                sent.add(stream.sendHeapAsync(new Heap().addItem(0x1000, payload, false)));
            }
            stream.flush();
            long total = 0;
            for (CompletableFuture<Long> f : sent) {
                assertThat(f).isCompleted();
                total += f.get();
            }
            assertThat(stream.stalls).isPositive();
            assertThat(stream.packets.stream().mapToLong(Integer::longValue).sum()).isEqualTo(total);
            // every heap: the same packets; 40 heaps of 50000 bytes in pieces of at most 1000 - header
            assertThat(stream.packets.size() % 40).isZero();
            assertThat(stream.threads).hasSize(1).allMatch(n -> n.matches("spead4j-pool\\d+-1"));
            // flush from the loop thread would stall the loop that must run the writer: refused
            CompletableFuture<Throwable> fromLoop = new CompletableFuture<>();
            stream.writerLoop().execute(() -> {
                try {
                    stream.flush();
                    fromLoop.complete(null);
                } catch (Throwable t) {
                    fromLoop.complete(t);
                }
            });
            assertThat(fromLoop.get(20, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("would deadlock");
            stream.close();
        }
    }
}
