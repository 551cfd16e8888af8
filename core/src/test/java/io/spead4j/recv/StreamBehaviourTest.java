package io.spead4j.recv;

import io.spead4j.MemoryAllocator;
import io.spead4j.RawItem;
import io.spead4j.Spead;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.spead4j.recv.TestPackets.packet;
import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;

/** The packet step's rules (SPEAD2-BEHAVIOUR.md §2.2 to §2.7, §2.9, §2.11) on hand-made packets. */
class StreamBehaviourTest {
    /** First half of a two-packet heap of 200 bytes. */
    private static byte[] first(long cnt) {
        return packet(cnt).heapLength(200).offset(0).address(0x1000, 0).payload(100, 1).build();
    }

    private static byte[] second(long cnt) {
        return packet(cnt).heapLength(200).offset(100).payload(100, 101).build();
    }

    @Test
    void newHeapEvictsTheOccupantOfTheNextSlotEvenWhenOtherSlotsAreFree() {
        RecordingStream s = new RecordingStream(new StreamConfig().withMaxHeaps(3));
        // slots 1, 2, 0 in turn: A=1 (partial) slot 1, B=2 (partial) slot 2, C=3 (complete) slot 0 then freed,
        // D=4 takes slot 1 and evicts A although slot 0 is free.
        s.batch(first(1), first(2), singleHeap(3, 10), singleHeap(4, 10));
        assertThat(s.cnts()).containsExactly(3L, 1L, 4L);
        assertThat(s.contiguous()).containsExactly(true, false, true);
        StreamStats st = s.getStats();
        assertThat(st.incompleteHeapsEvicted()).isEqualTo(1);
        assertThat(st.heaps()).isEqualTo(3);
        assertThat(st.singlePacketHeaps()).isEqualTo(2);
        IncompleteHeap a = (IncompleteHeap) s.heaps.get(1);
        assertThat(a.heapLength()).isEqualTo(200);
        assertThat(a.receivedLength()).isEqualTo(100);
        assertThat(a.payloadRanges()).containsExactly(new PayloadRange(0, 100));
        assertThat(a.items()).isEmpty(); // addressed items are dropped from incomplete heaps
    }

    @Test
    void withOneSlotEveryNewHeapEvictsThePrevious() {
        RecordingStream s = new RecordingStream(new StreamConfig().withMaxHeaps(1));
        s.batch(first(1), first(2), second(1), second(2));
        // heap 1 evicted by 2; second(1) cannot start a heap (offset != 0); heap 2 completes
        assertThat(s.cnts()).containsExactly(1L, 2L);
        assertThat(s.contiguous()).containsExactly(false, true);
        assertThat(s.getStats().packets()).isEqualTo(4);
    }

    @Test
    void substreamIsCntModuloSubstreams() {
        RecordingStream s = new RecordingStream(new StreamConfig().withMaxHeaps(1).withSubstreams(2));
        s.batch(first(1), first(2), second(1), second(2));
        assertThat(s.cnts()).containsExactly(1L, 2L);
        assertThat(s.contiguous()).containsExactly(true, true);
        assertThat(s.getStats().incompleteHeapsEvicted()).isZero();
    }

    @Test
    void flushVisitsSubstreamsInOrderOldestFirst() {
        RecordingStream s = new RecordingStream(new StreamConfig().withMaxHeaps(3).withSubstreams(2));
        s.batch(first(1), first(2), first(3), first(4), first(6));
        assertThat(s.heaps).isEmpty();
        s.stop();
        assertThat(s.cnts()).containsExactly(2L, 4L, 6L, 1L, 3L);
        StreamStats st = s.getStats();
        assertThat(st.incompleteHeapsFlushed()).isEqualTo(5);
        assertThat(st.heaps()).isEqualTo(5);
        assertThat(st.packets()).isEqualTo(5);
    }

    @Test
    void inOrderModeRejectsANewHeapNotStartingAtOffsetZeroAndNeverRecoversAfterAGap() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        byte[] third = packet(1).heapLength(300).offset(200).payload(100, 0).build();
        byte[] firstOf3 = packet(1).heapLength(300).offset(0).address(0x1000, 0).payload(100, 0).build();
        s.batch(second(7), firstOf3, third).stop();
        assertThat(s.cnts()).containsExactly(1L);
        IncompleteHeap h = (IncompleteHeap) s.heaps.getFirst();
        assertThat(h.receivedLength()).isEqualTo(100);
        assertThat(s.getStats().packets()).isEqualTo(3);
        assertThat(s.getStats().incompleteHeapsFlushed()).isEqualTo(1);
    }

    @Test
    void outOfOrderModeAssemblesShuffledPacketsAndDropsDuplicates() {
        RecordingStream s = new RecordingStream(new StreamConfig().withAllowOutOfOrder(true));
        s.batch(second(1), second(1), first(1));
        assertThat(s.cnts()).containsExactly(1L);
        Heap h = (Heap) s.heaps.getFirst();
        RawItem item = h.items().getFirst();
        assertThat(item.length()).isEqualTo(200);
        assertThat(item.bytes()[0]).isEqualTo((byte) 1);
        assertThat(item.bytes()[100]).isEqualTo((byte) 101);
        assertThat(s.getStats().packets()).isEqualTo(3);
        assertThat(s.getStats().heaps()).isEqualTo(1);
    }

    @Test
    void aSinglePacketHeapNeverMatchesALiveHeap() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        s.batch(singleHeap(5, 8), singleHeap(5, 8));
        assertThat(s.cnts()).containsExactly(5L, 5L);
        assertThat(s.getStats().singlePacketHeaps()).isEqualTo(2);
    }

    @Test
    void aSinglePacketHeapNeverJoinsALiveHeapOfTheSameCnt() {
        // §2.2 step 3: a packet whose PAYLOAD_LENGTH equals its HEAP_LENGTH does not look for a live heap, so it
        // makes a heap of its own beside the live heap 1, which the later packet then completes
        RecordingStream s = new RecordingStream(new StreamConfig());
        s.batch(first(1), singleHeap(1, 8), second(1));
        assertThat(s.cnts()).containsExactly(1L, 1L);
        assertThat(s.contiguous()).containsExactly(true, true);
        RawItem single = s.heaps.get(0).items().getFirst();
        assertThat(single.bytes()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        RawItem multi = s.heaps.get(1).items().getFirst();
        assertThat(multi.length()).isEqualTo(200);
        assertThat(multi.bytes()[0]).isEqualTo((byte) 1);
        assertThat(multi.bytes()[199]).isEqualTo((byte) 200);
        s.stop();
        StreamStats st = s.getStats();
        assertThat(st.packets()).isEqualTo(3);
        assertThat(st.heaps()).isEqualTo(2);
        assertThat(st.singlePacketHeaps()).isEqualTo(1);
        assertThat(st.incompleteHeapsEvicted()).isZero();
        assertThat(st.incompleteHeapsFlushed()).isZero();
        assertThat(s.heaps).hasSize(2);
    }

    @Test
    void anItemAddressBeyondHeapLengthMeansTheHeapNeverCompletes() {
        // §2.5: complete needs received = HEAP_LENGTH and received = min length, which an address pointer
        // beyond HEAP_LENGTH raises: such a heap stays live, whether it came in one packet or two
        RecordingStream s = new RecordingStream(new StreamConfig());
        byte[] single = packet(1).heapLength(100).address(0x1000, 0).address(0x1001, 150).payload(100, 0).build();
        // (the pointer comes last: a packet whose HEAP_LENGTH is below the min length already raised is rejected)
        byte[] firstOf3 = packet(3).heapLength(200).address(0x1000, 0).payload(100, 1).build();
        byte[] secondOf3 = packet(3).heapLength(200).offset(100).address(0x1001, 250).payload(100, 101).build();
        s.batch(single, firstOf3, secondOf3, singleHeap(2, 8));
        assertThat(s.cnts()).as("only the ordinary heap 2 completed").containsExactly(2L);
        s.stop();
        assertThat(s.cnts()).containsExactly(2L, 1L, 3L);
        assertThat(s.contiguous()).containsExactly(true, false, false);
        IncompleteHeap one = (IncompleteHeap) s.heaps.get(1);
        assertThat(one.heapLength()).isEqualTo(100);
        assertThat(one.receivedLength()).isEqualTo(100);
        IncompleteHeap three = (IncompleteHeap) s.heaps.get(2);
        assertThat(three.heapLength()).isEqualTo(200);
        assertThat(three.receivedLength()).isEqualTo(200);
        StreamStats st = s.getStats();
        assertThat(st.packets()).isEqualTo(4);
        assertThat(st.heaps()).isEqualTo(3);
        assertThat(st.incompleteHeapsFlushed()).isEqualTo(2);
        assertThat(st.incompleteHeapsEvicted()).isZero();
        assertThat(st.singlePacketHeaps()).isEqualTo(2);
    }

    @Test
    void aPacketOverTheHeapSizeCapEvictsNothing() {
        // with one slot any new heap would evict the live one; a packet over the cap must be dropped before
        RecordingStream s = new RecordingStream(new StreamConfig().withMaxHeaps(1).withMaxHeapSize(1000));
        s.batch(first(1));
        byte[] sizedOverCap = packet(2).heapLength(1L << 39).address(0x1000, 0).payload(100, 0).build();
        byte[] unsizedOverCap = packet(3).address(0x1000, 0).payload(2000, 0).build();
        s.batch(sizedOverCap, unsizedOverCap);
        assertThat(s.heaps).isEmpty();
        assertThat(s.oversizedPackets()).isEqualTo(2);
        assertThat(s.getStats().incompleteHeapsEvicted()).isZero();
        s.batch(second(1));
        assertThat(s.cnts()).as("the live heap 1 survived and completed").containsExactly(1L);
        assertThat(s.contiguous()).containsExactly(true);
        s.stop();
        StreamStats st = s.getStats();
        assertThat(st.packets()).isEqualTo(4);
        assertThat(st.heaps()).isEqualTo(1);
        assertThat(st.incompleteHeapsEvicted()).isZero();
        assertThat(st.incompleteHeapsFlushed()).isZero();
    }

    @Test
    void aCompleteStopHeapStopsTheStreamAndIsNotDeliveredOrCounted() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        s.batch(first(1), stopHeap(2), singleHeap(3, 4));
        assertThat(s.isStopped()).isTrue();
        // heap 1 flushed; packets after the stop packet are not processed
        assertThat(s.cnts()).containsExactly(1L);
        StreamStats st = s.getStats();
        assertThat(st.packets()).isEqualTo(2);
        assertThat(st.heaps()).isEqualTo(1);
        assertThat(st.incompleteHeapsFlushed()).isEqualTo(1);
        assertThat(st.singlePacketHeaps()).isEqualTo(1);
        // later batches are ignored and not counted
        s.batch(singleHeap(4, 4));
        assertThat(s.getStats().packets()).isEqualTo(2);
        assertThat(s.getStats().batches()).isEqualTo(1);
    }

    @Test
    void withStopOnStopItemFalseTheStopHeapIsAnOrdinaryHeap() {
        RecordingStream s = new RecordingStream(new StreamConfig().withStopOnStopItem(false));
        s.batch(stopHeap(2), singleHeap(3, 4));
        assertThat(s.isStopped()).isFalse();
        assertThat(s.cnts()).containsExactly(2L, 3L);
        assertThat(s.heaps.getFirst().isEndOfStream()).isTrue();
        assertThat(s.heaps.getFirst().items()).extracting(RawItem::id).containsExactly((long) Spead.STREAM_CTRL_ID);
    }

    @Test
    void anEmptyBatchThatEndsTheSourceIsNotCountedAsABatch() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        s.batch(first(1)).endOfSource();
        StreamStats st = s.getStats();
        assertThat(st.batches()).isEqualTo(1);
        assertThat(st.incompleteHeapsFlushed()).isEqualTo(1);
        assertThat(s.isStopped()).isTrue();
    }

    @Test
    void unsizedHeapsGrowAndLeaveOnlyByEvictionOrFlush() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        byte[] p1 = packet(1).address(0x1000, 0).payload(1000, 0).build();
        byte[] p2 = packet(1).offset(1000).payload(3000, 0).build();
        s.batch(p1, p2);
        assertThat(s.heaps).isEmpty();
        s.stop();
        assertThat(s.cnts()).containsExactly(1L);
        Heap h = (Heap) s.heaps.getFirst();
        assertThat(h.items().getFirst().length()).isEqualTo(4000);
        assertThat(s.getStats().incompleteHeapsFlushed()).isEqualTo(1);
    }

    @Test
    void unsizedPacketsAreRejectedButCountedWhenNotAllowed() {
        RecordingStream s = new RecordingStream(new StreamConfig().withAllowUnsizedHeaps(false));
        s.batch(packet(1).address(0x1000, 0).payload(10, 0).build()).stop();
        assertThat(s.heaps).isEmpty();
        assertThat(s.getStats().packets()).isEqualTo(1);
    }

    @Test
    void decodeFailuresAndSizeMismatchesAreNotCounted() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        byte[] good = singleHeap(1, 8);
        byte[] longer = TestPackets.concat(good, new byte[] {0});
        s.each(new byte[] {1, 2, 3}, longer);
        assertThat(s.getStats().packets()).isZero();
        assertThat(s.getStats().batches()).isEqualTo(2);
        s.each(good);
        assertThat(s.getStats().packets()).isEqualTo(1);
    }

    @Test
    void itemsAreSortedAddressedByAddressThenImmediatesByValueAndDeduplicated() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        byte[] p = packet(1).heapLength(30)
                .immediate(0x2000, 7).address(0x1001, 20).immediate(0x2001, 3).address(0x1000, 0)
                .address(0x1002, 10).address(0x1003, 10).address(0x1000, 0).payload(30, 0).build();
        s.batch(p);
        Heap h = (Heap) s.heaps.getFirst();
        assertThat(h.items()).extracting(RawItem::id).containsExactly(0x1000L, 0x1003L, 0x1001L, 0x2001L, 0x2000L);
        assertThat(h.items()).extracting(RawItem::length).containsExactly(10, 10, 10, 5, 5);
        assertThat(h.items().get(3).immediateValue()).isEqualTo(3);
        assertThat(h.items().get(3).bytes()).containsExactly(0, 0, 0, 0, 3);
        assertThat(h.items().getFirst().value().isReadOnly()).isTrue();
    }

    @Test
    void addressedStreamControlOfAtMost8BytesMarksStartOfStream() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        byte[] p = packet(1).heapLength(8).address(Spead.STREAM_CTRL_ID, 0).payload(new byte[8]).build();
        s.batch(p);
        assertThat(s.heaps.getFirst().isStartOfStream()).isTrue();
        assertThat(s.heaps.getFirst().isEndOfStream()).isFalse();
        // an addressed STOP does not stop the stream
        byte[] stop = packet(2).heapLength(8).address(Spead.STREAM_CTRL_ID, 0)
                .payload(new byte[] {0, 0, 0, 0, 0, 0, 0, 2}).build();
        s.batch(stop);
        assertThat(s.isStopped()).isFalse();
        assertThat(s.heaps.get(1).isEndOfStream()).isTrue();
    }

    /** Counts bytes allocated. */
    static final class CountingAllocator implements MemoryAllocator {
        final AtomicLong allocated = new AtomicLong();
        final AtomicLong freed = new AtomicLong();

        @Override
        public MemorySegment allocate(long size) {
            allocated.addAndGet(size);
            return MemoryAllocator.plain().allocate(size);
        }

        @Override
        public void free(MemorySegment segment) {
            freed.addAndGet(segment.byteSize());
        }
    }

    @Test
    void aHeapLengthAboveTheCapIsRejectedWithoutAllocating() {
        CountingAllocator alloc = new CountingAllocator();
        RecordingStream s = new RecordingStream(new StreamConfig().withMemoryAllocator(alloc).withMaxHeapSize(1000));
        byte[] huge = packet(1).heapLength(1L << 39).address(0x1000, 0).payload(100, 0).build();
        s.batch(huge).stop();
        assertThat(s.oversizedPackets()).isEqualTo(1);
        assertThat(alloc.allocated.get()).isZero();
        assertThat(s.heaps).isEmpty();
        assertThat(s.getStats().packets()).isEqualTo(1);
        assertThat(s.getStats().heaps()).isZero();
    }

    @Test
    void anUnsizedHeapCannotGrowPastTheCap() {
        CountingAllocator alloc = new CountingAllocator();
        RecordingStream s = new RecordingStream(new StreamConfig().withMemoryAllocator(alloc).withMaxHeapSize(1000));
        // the first packet points at a huge address (no allocation for that), the second would need it
        byte[] p1 = packet(1).address(0x1000, 0).address(0x1001, 1L << 38).payload(100, 0).build();
        byte[] p2 = packet(1).offset(100).payload(100, 0).build();
        byte[] p3 = packet(2).payload(2000, 0).address(0x1000, 0).build();
        s.batch(p1, p2, p3);
        assertThat(s.oversizedPackets()).isEqualTo(2);
        assertThat(alloc.allocated.get()).isLessThanOrEqualTo(1000);
        s.stop();
        assertThat(s.cnts()).containsExactly(1L);
        assertThat(((IncompleteHeap) s.heaps.getFirst()).receivedLength()).isEqualTo(100);
    }

    @Test
    void releaseGivesPayloadBackToTheAllocator() {
        CountingAllocator alloc = new CountingAllocator();
        RecordingStream s = new RecordingStream(new StreamConfig().withMemoryAllocator(alloc));
        s.batch(singleHeap(1, 64));
        Heap h = (Heap) s.heaps.getFirst();
        assertThat(alloc.allocated.get()).isEqualTo(64);
        h.release();
        h.release();
        assertThat(alloc.freed.get()).isEqualTo(64);
    }

    @Test
    void customStatsAreUpdatedPerBatch() {
        StreamConfig config = new StreamConfig().addStat("mine", StreamStatConfig.Mode.MAXIMUM);
        int index = config.getStatIndex("mine");
        assertThat(index).isEqualTo(StreamConfig.STAT_CUSTOM);
        List<Long> seen = new java.util.ArrayList<>();
        StreamBase s = new StreamBase(null, config) {
            private long n;

            @Override
            void liveHeapReady(LiveHeap heap) {
                updateBatchStat(index, ++n);
                seen.add(heap.cnt());
                heap.release();
            }
        };
        Batch b = s.beginBatch(new Batch());
        byte[] one = singleHeap(1, 4);
        byte[] two = singleHeap(2, 4);
        s.addPacket(b, MemorySegment.ofArray(one), 0, one.length, true);
        s.addPacket(b, MemorySegment.ofArray(two), 0, two.length, true);
        s.endBatch(b);
        assertThat(seen).containsExactly(1L, 2L);
        assertThat(s.getStats().get("mine")).isEqualTo(2);
        assertThat(s.getStats().size()).isEqualTo(10);
    }
    @Test
    void repeatedPointersAcrossPacketsAreStoredOnce() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        byte[][] packets = new byte[3][];
        for (int k = 0; k < 3; k++) {
            TestPackets b = packet(1).heapLength(120).offset(40L * k).payload(40, k);
            for (int i = 0; i < 40; i++) {
                if (i % 2 == 0) {
                    b.address(0x1000 + i, i * 3L);
                } else {
                    b.immediate(0x1000 + i, 40 - i);
                }
            }
            b.address(0, 120); // NULL pointer at the end: never an item itself
            packets[k] = b.build();
        }
        s.batch(packets);
        Heap h = (Heap) s.heaps.getFirst();
        assertThat(h.items()).hasSize(40);
        // addressed items first (by address), each 6 bytes long, then immediates by ascending value
        assertThat(h.items().subList(0, 20)).allMatch(it -> !it.immediate() && it.length() == 6);
        assertThat(h.items().get(20).immediateValue()).isEqualTo(1);
        assertThat(h.items().get(39).immediateValue()).isEqualTo(39);
        assertThat(h.items().get(39).id()).isEqualTo(0x1001L);
    }
    @Test
    void ofTwoAddressPointersWithTheSameAddressTheFirstSeenIsDroppedAsEmpty() {
        RecordingStream s = new RecordingStream(new StreamConfig());
        s.batch(packet(1).heapLength(20).address(0x1000, 0).address(0x1001, 10).address(0x1002, 10)
                .payload(20, 0).build());
        Heap h = (Heap) s.heaps.getFirst();
        assertThat(h.items()).extracting(RawItem::id).containsExactly(0x1000L, 0x1002L);
        assertThat(h.items()).extracting(RawItem::length).containsExactly(10, 10);
    }
}
