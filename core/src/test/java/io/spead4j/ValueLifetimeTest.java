package io.spead4j;

import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.InprocStream;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values decoded by {@link ItemGroup#update} stay valid after {@link Heap#release()}, even when the heap's memory
 * goes back to a {@link MemoryPool} and the next heap overwrites it; the zero-copy opt-in shares the heap's
 * memory instead. Each case runs with a pool of one buffer (so heap B reuses heap A's buffer) and with the plain
 * allocator.
 */
@Timeout(60)
class ValueLifetimeTest {
    private static final DType I4 = DType.parse("<i4");
    private static final long[] SHAPE = {4};

    /** One sender and one receiver over an in-process queue; heaps are sent and taken one at a time. */
    private static final class Link implements AutoCloseable {
        final InprocQueue queue = new InprocQueue();
        final MemoryPool pool;
        final Stream receiver;
        final InprocStream sender;
        /** Descriptors in every heap, so the data item sits at the same offset of every heap's payload. */
        final io.spead4j.send.ItemGroup sendItems = new io.spead4j.send.ItemGroup(1, Flavour.DEFAULT);
        final Item sendData;

        final List<MemorySegment> allocated = new CopyOnWriteArrayList<>();

        /**
         * @param usePool a pool of one buffer, else the plain allocator
         * @param record route allocations through an allocator over the plain one that records every segment it
         *     hands out, so a test can write into the heap's memory (with a pool, it is the pool's underlying one)
         */
        Link(boolean usePool, boolean record) {
            MemoryAllocator plain = MemoryAllocator.plain();
            MemoryAllocator base = !record ? plain : size -> {
                MemorySegment segment = plain.allocate(size);
                allocated.add(segment);
                return segment;
            };
            pool = usePool ? new MemoryPool(0, 4096, 1, 1, 0, base) : null;
            StreamConfig config = new StreamConfig();
            if (usePool) {
                config = config.withMemoryAllocator(pool);
            } else if (record) {
                config = config.withMemoryAllocator(base);
            }
            receiver = new Stream(TestPools.shared(), config);
            receiver.addInprocReader(queue);
            sender = new InprocStream(TestPools.shared(), List.of(queue), new io.spead4j.send.StreamConfig());
            sendData = sendItems.addItem(null, "data", "four ints", SHAPE, I4, NdArray.Order.C, null);
        }

        /** Sends one heap whose data item holds {@code value} four times and returns the received heap. */
        Heap sendAndReceive(long value) throws Exception {
            sendData.setValue(NdArray.ofLongs(I4, SHAPE, value, value, value, value));
            sender.sendHeap(sendItems.getHeap());
            HeapBase heap = receiver.get();
            assertThat(heap).isInstanceOf(Heap.class);
            return (Heap) heap;
        }

        @Override
        public void close() {
            sender.close();
            queue.stop();
            receiver.close();
        }
    }

    @ParameterizedTest(name = "pool={0}")
    @ValueSource(booleans = {true, false})
    void keptValueReadsTheSameAfterReleaseAndTheNextHeap(boolean usePool) throws Exception {
        try (Link link = new Link(usePool, false)) {
            ItemGroup group = new ItemGroup();
            Heap heapA = link.sendAndReceive(9);
            group.update(heapA);
            NdArray kept = (NdArray) group.get("data").value();
            ByteBuffer keptBuffer = kept.buffer();
            MemorySegment keptSegment = MemorySegment.ofBuffer(kept.buffer());
            long[] keptLongs = kept.toLongArray();
            assertThat(keptLongs).containsExactly(9, 9, 9, 9);
            // a raw view of heap A's memory: shows whether heap B really reuses the buffer
            ByteBuffer rawViewOfA = rawValue(heapA, link);

            heapA.release();
            if (usePool) {
                assertThat(link.pool.freeCount()).as("heap A's buffer back in the pool").isEqualTo(1);
            }
            Heap heapB = link.sendAndReceive(7);
            ItemGroup.Updates updates = group.update(heapB);
            assertThat(updates).containsKey("data");
            if (usePool) {
                assertThat(link.pool.freeCount()).as("heap B took heap A's buffer").isZero();
                assertThat(rawViewOfA.order(ByteOrder.LITTLE_ENDIAN).getInt(0))
                        .as("heap B overwrote heap A's memory (the hazard this test guards against)").isEqualTo(7);
            }

            assertThat(kept.toLongArray()).containsExactly(9, 9, 9, 9);
            assertThat(kept).isEqualTo(NdArray.ofLongs(I4, SHAPE, 9, 9, 9, 9));
            assertThat(kept.toString()).contains("[9, 9, 9, 9]");
            assertThat(keptBuffer.order(ByteOrder.LITTLE_ENDIAN).getInt(12)).isEqualTo(9);
            assertThat(keptSegment.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0))
                    .isEqualTo(9);
            assertThat(((NdArray) group.get("data").value()).toLongArray()).containsExactly(7, 7, 7, 7);

            heapB.release();
            assertThat(kept.toLongArray()).as("still the same after every heap is released")
                    .containsExactly(9, 9, 9, 9);
        }
    }

    @ParameterizedTest(name = "pool={0}")
    @ValueSource(booleans = {true, false})
    void defaultValueDoesNotShareTheHeapMemory(boolean usePool) throws Exception {
        try (Link link = new Link(usePool, true)) {
            ItemGroup group = new ItemGroup();
            Heap heapA = link.sendAndReceive(9);
            group.update(heapA);
            NdArray value = (NdArray) group.get("data").value();
            Item item = new Item(group.get("data").id(), "data", "", SHAPE, I4, NdArray.Order.C, null);
            item.setFromRaw(heapA.items().stream().filter(r -> r.id() == item.id()).findFirst().orElseThrow());
            NdArray fromItem = (NdArray) item.value();
            assertThat(link.allocated).isNotEmpty();
            for (MemorySegment segment : link.allocated) {
                segment.fill((byte) 5);
            }
            assertThat(rawValue(heapA, link).order(ByteOrder.LITTLE_ENDIAN).getInt(0))
                    .as("the raw item views the memory written").isEqualTo(0x05050505);
            assertThat(value.toLongArray()).containsExactly(9, 9, 9, 9);
            assertThat(fromItem.toLongArray()).as("Item.setFromRaw copies too").containsExactly(9, 9, 9, 9);
            heapA.release();
        }
    }

    @ParameterizedTest(name = "pool={0}")
    @ValueSource(booleans = {true, false})
    void zeroCopyValueSharesTheHeapMemory(boolean usePool) throws Exception {
        try (Link link = new Link(usePool, true)) {
            ItemGroup group = new ItemGroup().zeroCopy(true);
            assertThat(group.isZeroCopy()).isTrue();
            Heap heapA = link.sendAndReceive(9);
            group.update(heapA);
            NdArray view = (NdArray) group.get("data").value();
            assertThat(view.toLongArray()).containsExactly(9, 9, 9, 9);
            Item item = new Item(group.get("data").id(), "data", "", SHAPE, I4, NdArray.Order.C, null);
            item.setFromRaw(rawItem(heapA, link), true);
            NdArray itemView = (NdArray) item.value();

            for (MemorySegment segment : link.allocated) {
                segment.fill((byte) 5);
            }
            assertThat(view.toLongArray()).as("the view is the heap's memory").containsOnly(0x05050505L);
            assertThat(itemView.toLongArray()).containsOnly(0x05050505L);
            heapA.release();

            Heap heapB = link.sendAndReceive(7);
            group.update(heapB);
            if (usePool) {
                // documented: a zero-copy value is valid only until its heap is released
                assertThat(view.toLongArray()).as("the pool buffer was reused").containsExactly(7, 7, 7, 7);
            }
            assertThat(group.zeroCopy(false).isZeroCopy()).isFalse();
            heapB.release();
        }
    }

    private static io.spead4j.RawItem rawItem(Heap heap, Link link) {
        return heap.items().stream().filter(r -> r.id() == link.sendData.id()).findFirst().orElseThrow();
    }

    private static ByteBuffer rawValue(Heap heap, Link link) {
        return rawItem(heap, link).value();
    }
}
