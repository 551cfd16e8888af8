package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.send.InprocStream;
import io.spead4j.testing.TestPools;
import io.spead4j.wire.DecodeStatus;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.spead4j.recv.TestPackets.packet;
import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@link DropReason}, provoked once on a known stream, is counted once under that reason and under no
 * other (except where one heap meets two reasons, said in the test), while spead2's statistics stay what
 * spead2 counts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DropReasonsTest {
    private static final ThreadPool pool = TestPools.shared();

    private static byte[] first(long cnt) {
        return packet(cnt).heapLength(200).offset(0).address(0x1000, 0).payload(100, 1).build();
    }

    private static byte[] second(long cnt) {
        return packet(cnt).heapLength(200).offset(100).payload(100, 101).build();
    }

    /** @return drop counts with only the given reasons set */
    private static DropCounts only(Object... reasonsAndCounts) {
        long[] counts = new long[DropReason.values().length];
        for (int i = 0; i < reasonsAndCounts.length; i += 2) {
            counts[((DropReason) reasonsAndCounts[i]).ordinal()] = ((Number) reasonsAndCounts[i + 1]).longValue();
        }
        return new DropCounts(counts);
    }

    private static void decodesAs(byte[] packet, DecodeStatus status) {
        PacketDecoder d = new PacketDecoder();
        d.decode(MemorySegment.ofArray(packet), 0, packet.length);
        assertThat(d.status()).isEqualTo(status);
    }

    @Test
    void badHeader() {
        byte[] garbage = new byte[24];
        Arrays.fill(garbage, (byte) 0x41);
        decodesAs(garbage, DecodeStatus.BAD_MAGIC);
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(garbage, singleHeap(1, 10));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.BAD_HEADER, 1));
        assertThat(s.getStats().packets()).isEqualTo(1); // spead2 does not count it
    }

    @Test
    void missingItems() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) 0x53).put((byte) 4).put((byte) 3).put((byte) 5).putShort((short) 0).putShort((short) 1);
        b.putLong(ItemPointer.immediate(Spead.HEAP_CNT_ID, 1, 40));
        decodesAs(b.array(), DecodeStatus.MISSING_ITEMS);
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(b.array());
        assertThat(s.getDrops()).isEqualTo(only(DropReason.MISSING_ITEMS, 1));
        assertThat(s.getStats().packets()).isZero();
    }

    @Test
    void missingHeapLengthWhenUnsizedHeapsAreNotAllowed() {
        byte[] unsized = packet(1).offset(0).payload(10, 1).build();
        RecordingStream s = new RecordingStream(new StreamConfig().withAllowUnsizedHeaps(false)).batch(unsized);
        assertThat(s.getDrops()).isEqualTo(only(DropReason.MISSING_ITEMS, 1));
    }

    @Test
    void payloadOverflow() {
        byte[] whole = singleHeap(1, 100);
        byte[] cut = Arrays.copyOf(whole, whole.length - 50);
        decodesAs(cut, DecodeStatus.PAYLOAD_OVERFLOW);
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(cut);
        assertThat(s.getDrops()).isEqualTo(only(DropReason.PAYLOAD_OVERFLOW, 1));
    }

    @Test
    void lengthMismatch() {
        byte[] whole = singleHeap(1, 100);
        byte[] longer = Arrays.copyOf(whole, whole.length + 8);
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(longer);
        assertThat(s.getDrops()).isEqualTo(only(DropReason.LENGTH_MISMATCH, 1));
        assertThat(s.heaps).isEmpty();
    }

    @Test
    void duplicate() {
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(first(1), first(1), second(1));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.DUPLICATE, 1));
        assertThat(s.contiguous()).containsExactly(true);
    }

    @Test
    void duplicateOutOfOrder() {
        RecordingStream s = new RecordingStream(new StreamConfig().withAllowOutOfOrder(true))
                .batch(second(1), second(1), first(1));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.DUPLICATE, 1));
        assertThat(s.contiguous()).containsExactly(true);
    }

    @Test
    void outOfOrder() {
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(second(1), singleHeap(2, 10));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.OUT_OF_ORDER, 1));
        assertThat(s.getStats().packets()).isEqualTo(2); // spead2 counts it in packets
    }

    @Test
    void gapInsideAHeap() {
        byte[] beyondGap = packet(1).heapLength(200).offset(150).payload(50, 151).build();
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(first(1), beyondGap, second(1));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.OUT_OF_ORDER, 1));
        assertThat(s.contiguous()).containsExactly(true);
    }

    @Test
    void inconsistent() {
        byte[] otherLength = packet(1).heapLength(300).offset(100).payload(100, 101).build();
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(first(1), otherLength, second(1));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.INCONSISTENT, 1));
        assertThat(s.contiguous()).containsExactly(true);
    }

    @Test
    void oversizedHeap() {
        RecordingStream s = new RecordingStream(new StreamConfig().withMaxHeapSize(150)).batch(first(1));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.OVERSIZED_HEAP, 1));
        assertThat(s.oversizedPackets()).isEqualTo(1);
    }

    @Test
    void evictedIncomplete() {
        RecordingStream s = new RecordingStream(new StreamConfig().withMaxHeaps(1)).batch(first(1), singleHeap(2, 10));
        assertThat(s.getDrops()).isEqualTo(only(DropReason.EVICTED_INCOMPLETE, 1));
        assertThat(s.getStats().incompleteHeapsEvicted()).isEqualTo(1);
    }

    @Test
    void flushedIncomplete() {
        RecordingStream s = new RecordingStream(new StreamConfig()).batch(first(1)).endOfSource();
        assertThat(s.getDrops()).isEqualTo(only(DropReason.FLUSHED_INCOMPLETE, 1));
        assertThat(s.getStats().incompleteHeapsFlushed()).isEqualTo(1);
    }

    @Test
    void ringFullBlocksTheReaderOnce() throws Exception {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(singleHeap(1, 10));
        queue.addPacket(singleHeap(2, 10));
        queue.addPacket(stopHeap(3));
        try (Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig().withHeaps(1))) {
            stream.addInprocReader(queue);
            // heap 1 fills the ring; heap 2 blocks the reader until the consumer takes heap 1
            while (stream.getDrops().get(DropReason.RING_FULL) == 0) {
                Thread.sleep(1);
            }
            assertThat(stream.ringbuffer().size()).isEqualTo(1);
            assertThat(stream.ringbuffer().capacity()).isEqualTo(1);
            int heaps = 0;
            for (HeapBase heap : stream) {
                ((Heap) heap).release();
                heaps++;
            }
            assertThat(heaps).isEqualTo(2);
            assertThat(stream.getDrops()).isEqualTo(only(DropReason.RING_FULL, 1));
            assertThat(stream.getDrops().total()).isZero(); // a blocked reader loses nothing
            assertThat(stream.getStats().workerBlocked()).isEqualTo(1);
        }
    }

    @Test
    void heapFlushedAfterAUserStopIsDropped() throws Exception {
        InprocQueue queue = new InprocQueue();
        queue.addPacket(first(1));
        try (Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(4, false, true))) {
            stream.addInprocReader(queue);
            while (stream.getStats().packets() == 0) {
                Thread.sleep(1);
            }
            stream.stop();
            // the one heap is both flushed incomplete and, the ring being stopped, dropped (an incomplete heap
            // reaches the ring only when the ring takes incomplete heaps)
            assertThat(stream.getDrops()).isEqualTo(only(DropReason.STOPPED, 1, DropReason.FLUSHED_INCOMPLETE, 1));
        }
    }

    @Test
    void tooOldAndPlaceRejectedHeapsOfAChunkStream() throws Exception {
        InprocQueue queue = new InprocQueue();
        ChunkStreamConfig chunkConfig = new ChunkStreamConfig()
                .withItems(ChunkRingStreamTest.POSITION_ID, Spead.HEAP_LENGTH_ID).withMaxChunks(4)
                .withPlace(ChunkRingStreamTest.PLACE_PLAIN);
        Arena arena = Arena.ofAuto();
        try (ChunkStream stream = new ChunkStream(pool, new StreamConfig(), chunkConfig,
                (id, stats) -> new Chunk(arena.allocate(ChunkRingStreamTest.HEAPS_PER_CHUNK),
                        arena.allocate(ChunkRingStreamTest.CHUNK_PAYLOAD_SIZE)), (chunk, stats) -> { });
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            stream.addInprocReader(queue);
            // chunk 5 moves the window to chunks 2..5: the heap at position 0 (chunk 0) is too old; the
            // helper also sends a heap that is not data and an end heap, which place_plain rejects
            ChunkRingStreamTest.sendHeaps(sender, List.of(5 * ChunkRingStreamTest.HEAPS_PER_CHUNK, 0));
            stream.awaitStopped();
            StreamStats stats = stream.getStats();
            assertThat(stats.get("too_old_heaps")).isEqualTo(1);
            assertThat(stats.get("rejected_heaps")).isEqualTo(2);
            Map<DropReason, Long> expected = new EnumMap<>(only(DropReason.TOO_OLD, 1, DropReason.PLACE_REJECTED, 2)
                    .asMap());
            assertThat(stream.getDrops().asMap()).isEqualTo(expected);
        }
    }
}
