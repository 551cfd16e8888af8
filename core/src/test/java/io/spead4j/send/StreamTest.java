package io.spead4j.send;

import io.spead4j.testing.TestPools;
import io.spead4j.Flavour;
import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Send stream behaviour of SPEAD2-BEHAVIOUR §5.4, §5.5, §5.7 and §6 (send side). */
class StreamTest {
    private static final ThreadPool pool = TestPools.shared();

    /**
     * A transport that records packets, can hold the writer until released, and can fail chosen packets. It
     * asserts nothing on the writer thread (an assertion failing there would only end the writer): what went
     * wrong there is kept in {@link #writerProblem} for the test thread.
     */
    static final class RecordingStream extends Stream {
        final List<byte[]> packets = new ArrayList<>();
        final CountDownLatch release;
        final CountDownLatch entered = new CountDownLatch(1);
        volatile String writerProblem;
        int failPacket = -1;
        int seen;

        RecordingStream(StreamConfig config, boolean gated) {
            super(pool, config, 1);
            release = new CountDownLatch(gated ? 1 : 0);
        }

        @Override
        protected void writePackets(PacketBatch batch) {
            entered.countDown();
            try {
                // bounded only so a test that fails before releasing does not hold a shared pool thread forever
                if (!release.await(60, TimeUnit.SECONDS)) {
                    writerProblem = "the writer was never released";
                }
            } catch (InterruptedException e) {
                writerProblem = "the writer was interrupted while held";
                Thread.currentThread().interrupt();
            }
            synchronized (packets) {
                for (int i = 0; i < batch.size(); i++) {
                    if (seen++ == failPacket) {
                        batch.fail(i, new IOException("injected failure"));
                        continue;
                    }
                    packets.add(batch.segment().asSlice(batch.offset(i), batch.length(i))
                            .toArray(ValueLayout.JAVA_BYTE));
                }
            }
        }
    }

    private static byte[] ramp(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i + seed);
        }
        return b;
    }

    /**
     * Heap whose single addressed item fills exactly {@code packets} packets of 128 bytes: the first carries
     * the item pointer and 80 payload bytes, the others 88.
     */
    private static Heap heapOfPackets(int packets, int seed) {
        return new Heap().addItem(0x1000 + seed, ramp(80 + 88 * (packets - 1), seed), false);
    }

    private static List<long[]> cntAndOffset(byte[] stream) {
        List<long[]> out = new ArrayList<>();
        PacketDecoder d = new PacketDecoder();
        MemorySegment seg = MemorySegment.ofArray(stream);
        long off = 0;
        while (off < stream.length) {
            long size = d.decode(seg, off, stream.length - off);
            assertThat(size).isPositive();
            out.add(new long[] {d.heapCnt(), d.payloadOffset()});
            off += size;
        }
        return out;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static final StreamConfig P128 = StreamConfig.DEFAULT.withMaxPacketSize(128);

    @Test
    void roundRobinInterleavesOnePacketPerHeapSkippingExhaustedOnes() throws IOException {
        Heap a = heapOfPackets(3, 1);
        Heap b = heapOfPackets(1, 2);
        Heap c = heapOfPackets(2, 3);
        try (BytesStream s = new BytesStream(pool, P128)) {
            long bytes = s.sendHeaps(List.of(new HeapReference(a), new HeapReference(b), new HeapReference(c)),
                    GroupMode.ROUND_ROBIN);
            byte[] out = s.getValue();
            assertThat(bytes).isEqualTo(out.length);
            // A0 B0 C0 A1 C1 A2, cnts assigned in list order
            assertThat(cntAndOffset(out)).containsExactly(new long[] {1, 0}, new long[] {2, 0},
                    new long[] {3, 0}, new long[] {1, 80}, new long[] {3, 80}, new long[] {1, 168});
            List<byte[]> pa = new PacketGenerator(a, 1, 128).packets();
            List<byte[]> pb = new PacketGenerator(b, 2, 128).packets();
            List<byte[]> pc = new PacketGenerator(c, 3, 128).packets();
            assertThat(out).isEqualTo(concat(List.of(pa.get(0), pb.get(0), pc.get(0), pa.get(1), pc.get(1),
                    pa.get(2))));
        }
    }

    @Test
    void serialSendsEachHeapWhole() throws IOException {
        try (BytesStream s = new BytesStream(pool, P128)) {
            s.sendHeaps(List.of(new HeapReference(heapOfPackets(3, 1)), new HeapReference(heapOfPackets(1, 2)),
                    new HeapReference(heapOfPackets(2, 3))), GroupMode.SERIAL);
            assertThat(cntAndOffset(s.getValue())).extracting(p -> p[0]).containsExactly(1L, 1L, 1L, 2L, 3L, 3L);
        }
    }

    @Test
    void roundRobinGroupOfOneIsPlainSend() throws IOException {
        try (BytesStream s = new BytesStream(pool, P128)) {
            s.sendHeaps(List.of(new HeapReference(heapOfPackets(3, 1))), GroupMode.ROUND_ROBIN);
            s.sendHeap(heapOfPackets(2, 2));
            assertThat(cntAndOffset(s.getValue())).extracting(p -> p[0]).containsExactly(1L, 1L, 1L, 2L, 2L);
        }
    }

    @Test
    void cntSequenceWrapsAtTheFlavourWidth() throws IOException {
        try (BytesStream s = new BytesStream(pool)) {
            s.setCntSequence((1L << 48) - 1, 1);
            s.sendHeap(new Heap(Flavour.of(48)));
            s.sendHeap(new Heap(Flavour.of(48)));
            assertThat(cntAndOffset(s.getValue())).extracting(p -> p[0]).containsExactly((1L << 48) - 1, 0L);
        }
        try (BytesStream s = new BytesStream(pool)) {
            s.setCntSequence((1L << 24) - 2, 1);
            for (int i = 0; i < 4; i++) {
                s.sendHeap(new Heap(Flavour.of(24)));
            }
            assertThat(cntAndOffset(s.getValue())).extracting(p -> p[0])
                    .containsExactly(16777214L, 16777215L, 0L, 1L);
        }
    }

    @Test
    void cntStepAndExplicitCnts() throws IOException {
        try (BytesStream s = new BytesStream(pool)) {
            s.setCntSequence(10, 5);
            s.sendHeap(new Heap());
            s.sendHeap(new Heap(), 3);
            s.sendHeap(new Heap());
            assertThat(cntAndOffset(s.getValue())).extracting(p -> p[0]).containsExactly(10L, 3L, 15L);
            assertThatIllegalArgumentException().isThrownBy(() -> s.setCntSequence(1, 0))
                    .withMessageContaining("step");
        }
    }

    @Test
    void badArgumentsAreRefusedWithoutUsingACnt() throws IOException {
        try (BytesStream s = new BytesStream(pool)) {
            assertThatIllegalArgumentException().isThrownBy(() -> s.sendHeap(new Heap(), 1L << 40))
                    .withMessageContaining("does not fit");
            assertThatIllegalArgumentException().isThrownBy(() -> s.sendHeap(new Heap(), -1, 1))
                    .withMessageContaining("substream index 1");
            assertThatIllegalArgumentException().isThrownBy(() -> s.sendHeapsAsync(List.of(), GroupMode.SERIAL))
                    .withMessageContaining("empty");
            assertThatIllegalArgumentException().isThrownBy(() -> s.sendHeaps(
                    List.of(new HeapReference(new Heap()), new HeapReference(new Heap(), -1, 2)),
                    GroupMode.ROUND_ROBIN));
            s.sendHeap(new Heap(Flavour.of(24)), (1L << 24) - 1);
            assertThatIllegalArgumentException().isThrownBy(() -> s.sendHeap(new Heap(Flavour.of(24)), 1L << 24));
            s.sendHeap(new Heap());
            assertThat(cntAndOffset(s.getValue())).extracting(p -> p[0]).containsExactly((1L << 24) - 1, 1L);
            assertThat(s.numSubstreams()).isEqualTo(1);
        }
        try (BytesStream s = new BytesStream(pool, StreamConfig.DEFAULT.withMaxPacketSize(50))) {
            assertThatIllegalArgumentException().isThrownBy(() -> s.sendHeap(new Heap()))
                    .withMessageContaining("packet size is too small");
        }
    }

    @Test
    void fullQueueRefusesAsyncSendsAtOnceAndSendsNothingOfThem() throws Exception {
        RecordingStream s = new RecordingStream(P128.withMaxHeaps(2), true);
        CompletableFuture<Long> f1 = s.sendHeapAsync(heapOfPackets(1, 1));
        s.entered.await();
        CompletableFuture<Long> f2 = s.sendHeapAsync(heapOfPackets(1, 2));
        CompletableFuture<Long> f3 = s.sendHeapAsync(heapOfPackets(1, 3));
        assertThat(f3).isCompletedExceptionally();
        assertThatThrownBy(f3::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(QueueFullException.class).hasMessageContaining("queue is full");
        assertThatThrownBy(() -> s.sendHeap(heapOfPackets(1, 4))).isInstanceOf(QueueFullException.class);
        CompletableFuture<Long> group = s.sendHeapsAsync(List.of(new HeapReference(new Heap())), GroupMode.SERIAL);
        assertThat(group).isCompletedExceptionally();
        assertThat(f1).isNotDone();
        s.release.countDown();
        s.flush();
        assertThat(f1.get()).isEqualTo(128);
        assertThat(f2.get()).isEqualTo(128);
        CompletableFuture<Long> f5 = s.sendHeapAsync(heapOfPackets(1, 5));
        s.flush();
        assertThat(f5).isCompletedWithValue(128L);
        // heap 3, 4 and the group never used a cnt
        assertThat(s.packets).extracting(p -> cntAndOffset(p).getFirst()[0]).containsExactly(1L, 2L, 3L);
        s.close();
        assertThat(s.writerProblem).isNull();
        assertThatIllegalStateException().isThrownBy(() -> s.sendHeapAsync(new Heap()));
    }

    @Test
    void groupNeedsRoomForAllItsHeaps() throws Exception {
        RecordingStream s = new RecordingStream(P128.withMaxHeaps(3), true);
        s.sendHeapAsync(heapOfPackets(1, 1));
        s.entered.await();
        List<HeapReference> three = List.of(new HeapReference(new Heap()), new HeapReference(new Heap()),
                new HeapReference(new Heap()));
        assertThat(s.sendHeapsAsync(three, GroupMode.ROUND_ROBIN)).isCompletedExceptionally();
        CompletableFuture<Long> two = s.sendHeapsAsync(three.subList(0, 2), GroupMode.ROUND_ROBIN);
        s.release.countDown();
        s.flush();
        assertThat(two.get()).isEqualTo(2 * 49);
        assertThat(s.packets).extracting(p -> cntAndOffset(p).getFirst()[0]).containsExactly(1L, 2L, 3L);
        s.close();
        assertThat(s.writerProblem).isNull();
    }

    @Test
    void maxHeapsThatIsNoPowerOfTwoBoundsTheQueueExactlyAndItsRingWraps() throws Exception {
        RecordingStream s = new RecordingStream(P128.withMaxHeaps(3), true);
        CompletableFuture<Long> first = s.sendHeapAsync(heapOfPackets(1, 0));
        s.entered.await();
        s.sendHeapAsync(heapOfPackets(1, 1));
        s.sendHeapAsync(heapOfPackets(1, 2));
        // three queued or in flight: a fourth is refused, although the stream keeps its slots in a ring of four
        assertThat(s.sendHeapAsync(heapOfPackets(1, 3))).isCompletedExceptionally();
        s.release.countDown();
        s.flush();
        assertThat(first.get()).isEqualTo(128);
        List<Long> expected = new ArrayList<>(List.of(1L, 2L, 3L));
        long cnt = 4;
        for (int round = 0; round < 50; round++) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                int packets = 1 + (round + k) % 3;
                futures.add(s.sendHeapAsync(heapOfPackets(packets, k)));
                for (int p = 0; p < packets; p++) {
                    expected.add(cnt);
                }
                cnt++;
            }
            s.flush();
            for (int k = 0; k < 3; k++) {
                assertThat(futures.get(k)).isCompletedWithValue(128L * (1 + (round + k) % 3));
            }
        }
        assertThat(s.packets).extracting(p -> cntAndOffset(p).getFirst()[0]).containsExactlyElementsOf(expected);
        s.close();
        assertThat(s.writerProblem).isNull();
    }

    @Test
    void maxHeapsAboveTwoToTheThirtyIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RecordingStream(P128.withMaxHeaps((1 << 30) + 1), false))
                .withMessageContaining("maxHeaps must be at most 1073741824");
    }

    @Test
    void failedPacketFailsItsHeapButLaterPacketsAreStillSent() throws Exception {
        RecordingStream s = new RecordingStream(P128, false);
        s.failPacket = 1;
        CompletableFuture<Long> f = s.sendHeapAsync(heapOfPackets(3, 1));
        CompletableFuture<Long> g = s.sendHeapAsync(heapOfPackets(1, 2));
        s.flush();
        assertThatThrownBy(f::get).hasCauseInstanceOf(IOException.class).hasMessageContaining("injected failure");
        assertThat(g.get()).isEqualTo(128);
        assertThat(s.packets).hasSize(3);
        assertThat(s.sendHeap(heapOfPackets(1, 3))).isEqualTo(128);
        s.close();
    }

    @Test
    void unreadableMemoryFailsItsGroupAndTheStreamGoesOn() throws Exception {
        try (BytesStream s = new BytesStream(pool, P128); Arena confined = Arena.ofConfined()) {
            MemorySegment mine = confined.allocate(500);
            Heap bad = new Heap().addItem(0x1000, mine, false);
            CompletableFuture<Long> group = s.sendHeapsAsync(List.of(new HeapReference(heapOfPackets(2, 1)),
                    new HeapReference(bad)), GroupMode.ROUND_ROBIN);
            assertThatThrownBy(group::get).hasCauseInstanceOf(IOException.class)
                    .hasMessageContaining("cannot generate packet");
            assertThat(s.sendHeap(heapOfPackets(1, 2))).isEqualTo(128);
            // the first packet of heap 1 went out before heap 2 failed; the next heap has cnt 3
            assertThat(cntAndOffset(s.getValue())).extracting(p -> p[0]).containsExactly(1L, 3L);
        }
    }

    @Test
    void flushWaitsForEverythingQueuedBefore() throws Exception {
        try (BytesStream s = new BytesStream(pool, P128.withMaxHeaps(16))) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(s.sendHeapAsync(heapOfPackets(5, i)));
            }
            s.flush();
            assertThat(futures).allSatisfy(f -> assertThat(f).isCompletedWithValue(5 * 128L));
            assertThat(s.getValue()).hasSize(16 * 5 * 128);
        }
    }

    @Test
    void inprocStreamPutsEachPacketOnItsSubstreamQueue() throws Exception {
        InprocQueue q0 = new InprocQueue();
        InprocQueue q1 = new InprocQueue();
        try (InprocStream s = new InprocStream(pool, List.of(q0, q1), P128)) {
            assertThat(s.queues()).containsExactly(q0, q1);
            assertThat(s.numSubstreams()).isEqualTo(2);
            Heap heap = heapOfPackets(2, 1);
            assertThat(s.sendHeap(heap, 7, 1)).isEqualTo(256);
            assertThat(s.sendHeap(new Heap().addEnd(), 8, 0)).isEqualTo(57);
            List<byte[]> expected = new PacketGenerator(heap, 7, 128).packets();
            assertThat(q1.size()).isEqualTo(2);
            assertThat(q1.tryPop()).isEqualTo(expected.get(0));
            assertThat(q1.tryPop()).isEqualTo(expected.get(1));
            assertThat(q0.tryPop()).isEqualTo(new PacketGenerator(new Heap().addEnd(), 8, 128).packets().getFirst());
            assertThatIllegalArgumentException().isThrownBy(() -> s.sendHeap(new Heap(), -1, 2));

            q1.stop();
            CompletableFuture<Long> f = s.sendHeapAsync(heap, -1, 1);
            assertThatThrownBy(f::get).hasCauseInstanceOf(IOException.class)
                    .hasMessageContaining("operation aborted");
            assertThat(s.sendHeap(new Heap(), -1, 0)).isEqualTo(49);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> new InprocStream(pool, List.of(), P128))
                .withMessageContaining("queues is empty");
    }

    @Test
    void channelStreamWritesTheSameBytesAsBytesStream() throws Exception {
        List<Heap> heaps = List.of(heapOfPackets(3, 1), new Heap().addStart(), heapOfPackets(2, 2),
                new Heap().addEnd());
        byte[] expected;
        try (BytesStream s = new BytesStream(pool, P128)) {
            for (Heap h : heaps) {
                s.sendHeapAsync(h);
            }
            s.flush();
            expected = s.getValue();
        }
        ByteArrayOutputStream viaStream = new ByteArrayOutputStream();
        ByteArrayOutputStream viaChannel = new ByteArrayOutputStream();
        try (ChannelStream a = new ChannelStream(pool, viaStream, P128);
             ChannelStream b = new ChannelStream(pool, Channels.newChannel(viaChannel), P128)) {
            for (Heap h : heaps) {
                a.sendHeapAsync(h);
                b.sendHeapAsync(h);
            }
        }
        assertThat(viaStream.toByteArray()).isEqualTo(expected);
        assertThat(viaChannel.toByteArray()).isEqualTo(expected);
    }

    @Test
    void channelStreamReportsWriteFailures() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk on fire");
            }
        };
        try (ChannelStream s = new ChannelStream(pool, broken, P128)) {
            assertThatThrownBy(() -> s.sendHeap(heapOfPackets(2, 1))).isInstanceOf(IOException.class)
                    .hasMessageContaining("disk on fire");
        }
    }

    @Test
    void closedThreadPoolIsReportedAndNothingIsQueued() throws IOException {
        ThreadPool closedPool = new ThreadPool(1);
        closedPool.close();
        try (BytesStream s = new BytesStream(closedPool)) {
            assertThatIllegalStateException().isThrownBy(() -> s.sendHeapAsync(new Heap()))
                    .withMessageContaining("thread pool");
        }
    }

    /** Discards packets and measures what the writer thread allocates between its first and last batch. */
    static final class AllocationProbe extends Stream {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long firstBatchAllocated = -1;
        long lastBatchAllocated;
        int batches;
        long packets;

        AllocationProbe(StreamConfig config) {
            super(pool, config, 1);
        }

        @Override
        protected void writePackets(PacketBatch batch) {
            long now = THREADS.getCurrentThreadAllocatedBytes();
            if (firstBatchAllocated < 0) {
                firstBatchAllocated = now;
            }
            lastBatchAllocated = now;
            batches++;
            packets += batch.size();
        }
    }

    @Test
    void packetPathAllocatesNothingPerPacket() throws IOException {
        AllocationProbe s = new AllocationProbe(StreamConfig.DEFAULT.withMaxPacketSize(1024));
        byte[] data = new byte[4 << 20];
        Heap heap = new Heap().addItem(0x1000, data, false).addItem(0x1001, 5).addItem(0x1002, new byte[3], true);
        s.sendHeap(heap);
        // second run: one-off costs (class loading, method handle linkage) are behind us
        s.firstBatchAllocated = -1;
        s.batches = 0;
        s.packets = 0;
        s.sendHeap(heap);
        s.close();
        assertThat(s.packets).isGreaterThan(4000);
        assertThat(s.batches).isGreaterThan(60);
        // thousands of packets generated between the first and last batch, (almost) no bytes allocated
        assertThat(s.lastBatchAllocated - s.firstBatchAllocated).isLessThan(4096);
    }

    @Test
    void configIsValidated() {
        StreamConfig c = StreamConfig.DEFAULT;
        assertThat(c.maxPacketSize()).isEqualTo(1472);
        assertThat(c.rate()).isZero();
        assertThat(c.burstSize()).isEqualTo(65536);
        assertThat(c.maxHeaps()).isEqualTo(4);
        assertThat(c.burstRateRatio()).isEqualTo(1.05);
        assertThat(c.rateMethod()).isEqualTo(RateMethod.AUTO);
        assertThat(c.withRate(1e6).burstRate()).isEqualTo(1.05e6);
        assertThatIllegalArgumentException().isThrownBy(() -> c.withRate(-1));
        assertThatIllegalArgumentException().isThrownBy(() -> c.withRate(Double.NaN));
        assertThatIllegalArgumentException().isThrownBy(() -> c.withRate(Double.POSITIVE_INFINITY));
        assertThatIllegalArgumentException().isThrownBy(() -> c.withBurstRateRatio(0.99));
        assertThatIllegalArgumentException().isThrownBy(() -> c.withBurstRateRatio(Double.NaN));
        assertThatIllegalArgumentException().isThrownBy(() -> c.withMaxHeaps(0));
        assertThatIllegalArgumentException().isThrownBy(() -> c.withBurstSize(-1));
        assertThatIllegalArgumentException().isThrownBy(() -> c.withMaxPacketSize(0));
        assertThat(c.withBurstSize(0).burstSize()).isZero();
    }
}
