package io.spead4j.recv;

import io.spead4j.MemoryAllocator;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.spead4j.recv.TestPackets.packet;
import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packet step through its seam alone: a tiny {@link PacketStep.HeapSink} records every heap the step asks
 * it to create and every heap it hands off, so the tests see eviction, substreams, flush and rejection in
 * the order the step makes them, without a stream around it.
 */
class PacketStepTest {
    /** An immediate item whose value the chunk-like sinks read at create time (like a timestamp). */
    private static final long PLACE_ID = 0x1600;

    /** The in-test owner: records creations and hand-offs; {@code place} decides (null rejects). */
    private static final class RecordingSink implements PacketStep.HeapSink {
        final List<Long> created = new ArrayList<>();
        final List<Long> handedOff = new ArrayList<>();
        final List<Boolean> handedOffComplete = new ArrayList<>();
        long rejected;
        private final Function<PacketDecoder, LiveHeap> place;

        RecordingSink(Function<PacketDecoder, LiveHeap> place) {
            this.place = place;
        }

        RecordingSink() {
            this(p -> new LiveHeap(p.heapCnt(), p.heapAddressBits(), MemoryAllocator.plain(), MemcpyFunction.STD));
        }

        @Override
        public LiveHeap createLiveHeap(PacketDecoder firstPacket) {
            LiveHeap heap = place.apply(firstPacket);
            if (heap == null) {
                rejected++;
            } else {
                created.add(firstPacket.heapCnt());
            }
            return heap;
        }

        @Override
        public void heapReady(LiveHeap heap) {
            handedOff.add(heap.cnt());
            handedOffComplete.add(heap.isComplete());
            heap.release();
        }

        @Override
        public void stopFlushFailed(long heapCnt, Throwable failure) {
            throw new AssertionError("unexpected flush failure of heap " + heapCnt, failure);
        }
    }

    /** Runs packets through a step as one batch (as a reader does) and merges the batch's counters. */
    private static void batch(PacketStep step, byte[]... packets) {
        Batch b = new Batch();
        step.beginBatch(b);
        for (byte[] p : packets) {
            if (b.isStopped()) {
                break;
            }
            step.addPacket(b, MemorySegment.ofArray(p), 0, p.length, true);
        }
        step.mergeBatch(b);
    }

    /** First half of a two-packet heap of 200 bytes. */
    private static byte[] first(long cnt) {
        return packet(cnt).heapLength(200).offset(0).address(0x1000, 0).payload(100, 1).build();
    }

    private static byte[] second(long cnt) {
        return packet(cnt).heapLength(200).offset(100).payload(100, 101).build();
    }

    /** The value of an immediate item of a decoded packet, or -1. */
    private static long immediate(PacketDecoder p, long id) {
        for (int i = 0; i < p.pointerCount(); i++) {
            long pointer = p.pointer(i);
            if (ItemPointer.isImmediate(pointer) && ItemPointer.id(pointer, p.heapAddressBits()) == id) {
                return ItemPointer.value(pointer, p.heapAddressBits());
            }
        }
        return -1;
    }

    @Test
    void aNewHeapEvictsTheOldestOfItsSubstreamAndFlushHandsOffTheRestOldestFirst() {
        RecordingSink sink = new RecordingSink();
        PacketStep step = new PacketStep(new StreamConfig().withMaxHeaps(3), sink);
        batch(step, first(1), first(2), first(3), first(4), first(5));
        // slots fill 1, 2, 3; heap 4 takes heap 1's slot, heap 5 heap 2's
        assertThat(sink.created).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(sink.handedOff).containsExactly(1L, 2L);
        assertThat(sink.handedOffComplete).containsExactly(false, false);
        batch(step, second(4));
        assertThat(sink.handedOff).containsExactly(1L, 2L, 4L);
        assertThat(sink.handedOffComplete).containsExactly(false, false, true);
        step.flush(false);
        assertThat(sink.handedOff).containsExactly(1L, 2L, 4L, 3L, 5L);
        StreamStats stats = step.stats();
        assertThat(stats.packets()).isEqualTo(6);
        assertThat(stats.incompleteHeapsEvicted()).isEqualTo(2);
        assertThat(stats.incompleteHeapsFlushed()).isEqualTo(2);
        assertThat(stats.heaps()).isEqualTo(5);
    }

    @Test
    void eachSubstreamEvictsOnlyItsOwnHeaps() {
        RecordingSink sink = new RecordingSink();
        PacketStep step = new PacketStep(new StreamConfig().withMaxHeaps(1).withSubstreams(2), sink);
        // cnt % 2: heaps 1 and 3 share substream 1, heaps 2 and 4 substream 0
        batch(step, first(1), first(2), first(3), second(2));
        assertThat(sink.handedOff).containsExactly(1L, 2L);
        assertThat(sink.handedOffComplete).containsExactly(false, true);
        batch(step, first(4));
        step.flush(false);
        // flush goes substream by substream: 0 (heap 4), then 1 (heap 3)
        assertThat(sink.handedOff).containsExactly(1L, 2L, 4L, 3L);
        assertThat(step.stats().incompleteHeapsEvicted()).isEqualTo(1);
        assertThat(step.stats().incompleteHeapsFlushed()).isEqualTo(2);
    }

    @Test
    void aRejectedCreateDropsThePacketLeavesTheSlotEmptyAndTheSinkCountsIt() {
        // reject heaps whose place item is below 10 ("too old"), as a chunk stream's place callback may
        RecordingSink sink = new RecordingSink(p -> immediate(p, PLACE_ID) < 10 ? null
                : new LiveHeap(p.heapCnt(), p.heapAddressBits(), MemoryAllocator.plain(), MemcpyFunction.STD));
        PacketStep step = new PacketStep(new StreamConfig().withMaxHeaps(2), sink);
        byte[] tooOld = packet(7).heapLength(200).immediate(PLACE_ID, 3).address(0x1000, 0).payload(100, 1).build();
        byte[] placed = packet(8).heapLength(200).immediate(PLACE_ID, 12).address(0x1000, 0).payload(100, 1)
                .build();
        batch(step, tooOld, placed, second(7), second(8));
        assertThat(sink.rejected).isEqualTo(1);
        assertThat(sink.created).containsExactly(8L);
        // the rest of heap 7 finds no live heap and, in order, cannot start one: dropped; heap 8 completes
        assertThat(sink.handedOff).containsExactly(8L);
        assertThat(sink.handedOffComplete).containsExactly(true);
        step.flush(false);
        assertThat(sink.handedOff).containsExactly(8L);
        StreamStats stats = step.stats();
        assertThat(stats.packets()).isEqualTo(4); // every decoded packet is counted, as spead2 does
        assertThat(stats.heaps()).isEqualTo(1);
        assertThat(stats.incompleteHeapsFlushed()).isZero();
    }

    @Test
    void aRejectedCreateAfterEvictionHandsOffTheEvictedHeapFirst() {
        RecordingSink sink = new RecordingSink(p -> p.heapCnt() == 2 ? null
                : new LiveHeap(p.heapCnt(), p.heapAddressBits(), MemoryAllocator.plain(), MemcpyFunction.STD));
        PacketStep step = new PacketStep(new StreamConfig().withMaxHeaps(1), sink);
        batch(step, first(1), first(2));
        // spead2's order: the slot is taken (its heap evicted) before the new heap is placed
        assertThat(sink.handedOff).containsExactly(1L);
        assertThat(sink.rejected).isEqualTo(1);
        assertThat(step.stats().incompleteHeapsEvicted()).isEqualTo(1);
        step.flush(false);
        assertThat(sink.handedOff).containsExactly(1L);
    }

    @Test
    void aStopItemEndsTheBatchAndIsNotHandedOff() {
        RecordingSink sink = new RecordingSink();
        PacketStep step = new PacketStep(new StreamConfig().withMaxHeaps(2), sink);
        Batch b = new Batch();
        step.beginBatch(b);
        step.addPacket(b, MemorySegment.ofArray(first(1)), 0, first(1).length, true);
        byte[] stop = stopHeap(2);
        step.addPacket(b, MemorySegment.ofArray(stop), 0, stop.length, true);
        assertThat(b.isStopped()).isTrue();
        assertThat(step.markStopped()).isTrue();
        step.flush(true);
        step.mergeBatch(b);
        assertThat(sink.handedOff).containsExactly(1L);
        // once stopped, a batch begins stopped and packets are not processed
        Batch after = new Batch();
        step.beginBatch(after);
        assertThat(after.isStopped()).isTrue();
        assertThat(step.processPacket(after, decoded(singleHeap(3, 8)))).isFalse();
        assertThat(sink.created).containsExactly(1L, 2L);
    }

    private static PacketDecoder decoded(byte[] packet) {
        PacketDecoder d = new PacketDecoder();
        assertThat(d.decode(MemorySegment.ofArray(packet), 0, packet.length)).isEqualTo(packet.length);
        return d;
    }
}
