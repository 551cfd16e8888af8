package io.spead4j.send;

import io.spead4j.testing.TestPools;
import io.spead4j.DType;
import io.spead4j.Flavour;
import io.spead4j.Format;
import io.spead4j.Item;
import io.spead4j.NdArray;
import io.spead4j.RawItem;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.recv.HeapBase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** spead2's HeapGenerator policies (SPEAD2-BEHAVIOUR.md §5.8), checked on the wire through a receive stream. */
class HeapGeneratorTest {
    private static final ThreadPool pool = TestPools.shared();

    /** Sends the heaps and returns, per received heap, its item ids in wire-independent (spead2 sorted) form. */
    private static List<io.spead4j.recv.Heap> roundTrip(List<Heap> heaps) throws IOException {
        byte[] bytes;
        try (BytesStream out = new BytesStream(pool)) {
            for (Heap h : heaps) {
                out.sendHeap(h);
            }
            bytes = out.getValue();
        }
        List<io.spead4j.recv.Heap> received = new ArrayList<>();
        try (io.spead4j.recv.Stream in = new io.spead4j.recv.Stream(pool)) {
            in.addBufferReader(bytes);
            for (HeapBase h : in) {
                received.add((io.spead4j.recv.Heap) h);
            }
        }
        return received;
    }

    private static List<Long> valueIds(io.spead4j.recv.Heap heap) {
        return heap.items().stream().map(RawItem::id).filter(id -> id > Spead.STREAM_CTRL_ID).sorted().toList();
    }

    @Test
    void sendsDescriptorsOnceAndOnlyChangedValues() throws IOException {
        ItemGroup ig = new ItemGroup();
        Item a = ig.addItem(null, "a", "scalar", new long[0], Format.of('u', 40), 5L);
        Item b = ig.addItem(null, "b", "array", new long[] {3}, DType.parse("<i4"), NdArray.Order.C,
                NdArray.ofLongs(DType.parse("<i4"), new long[] {3}, 1, 2, 3));
        assertThat(a.id()).isEqualTo(0x1000);
        assertThat(b.id()).isEqualTo(0x1001);
        Heap first = ig.getHeap();
        a.setValue(6L);
        Heap second = ig.getHeap();
        Heap third = ig.getHeap();
        Heap all = ig.getHeap(HeapGenerator.Policy.ALL, HeapGenerator.Policy.ALL);
        Heap none = ig.getHeap(HeapGenerator.Policy.NONE, HeapGenerator.Policy.ALL);
        List<io.spead4j.recv.Heap> got = roundTrip(List.of(first, second, third, all, none, ig.getEnd()));
        assertThat(got).hasSize(5); // the complete end heap is not delivered
        assertThat(got.get(0).descriptors()).extracting(d -> d.name()).containsExactly("a", "b");
        assertThat(valueIds(got.get(0))).containsExactly(0x1000L, 0x1001L);
        assertThat(got.get(1).descriptors()).isEmpty();
        assertThat(valueIds(got.get(1))).containsExactly(0x1000L);
        assertThat(got.get(2).descriptors()).isEmpty();
        assertThat(valueIds(got.get(2))).isEmpty();
        assertThat(got.get(3).descriptors()).hasSize(2);
        assertThat(valueIds(got.get(3))).containsExactly(0x1000L, 0x1001L);
        assertThat(got.get(4).descriptors()).isEmpty();
        assertThat(valueIds(got.get(4))).containsExactly(0x1000L, 0x1001L);

        io.spead4j.ItemGroup receiver = new io.spead4j.ItemGroup();
        for (io.spead4j.recv.Heap h : got) {
            receiver.update(h);
        }
        assertThat(receiver.get("a").value()).isEqualTo(6L);
        assertThat(((NdArray) receiver.get("b").value()).toLongArray()).containsExactly(1, 2, 3);
    }

    @Test
    void descriptorFrequencyAndReplacedItemsResendDescriptors() throws IOException {
        ItemGroup ig = new ItemGroup(2, Flavour.of(48));
        ig.addItem(0x2000L, "x", "x", new long[0], DType.parse(">u2"), NdArray.Order.C, 1L);
        Heap h1 = ig.getHeap();
        Heap h2 = ig.getHeap();
        Heap h3 = ig.getHeap();
        // replacing the item object (new description) forces its descriptor and its data
        ig.addItem(0x2000L, "x", "x again", new long[0], DType.parse(">u2"), NdArray.Order.C, 1L);
        Heap h4 = ig.getHeap();
        List<io.spead4j.recv.Heap> got = roundTrip(List.of(h1, h2, h3, h4));
        assertThat(got).allSatisfy(h -> assertThat(h.flavour().heapAddressBits()).isEqualTo(48));
        assertThat(got).extracting(h -> h.descriptors().size()).containsExactly(1, 0, 1, 1);
        assertThat(got).extracting(h -> valueIds(h).size()).containsExactly(1, 0, 0, 1);
        assertThat(got.get(3).descriptors().get(0).description()).isEqualTo("x again");
    }

    @Test
    void startAndEndHeapsCarryOnlyControlItems() throws IOException {
        ItemGroup ig = new ItemGroup();
        List<io.spead4j.recv.Heap> got = roundTrip(List.of(ig.getStart()));
        assertThat(got).singleElement().satisfies(h -> {
            assertThat(h.isStartOfStream()).isTrue();
            assertThat(valueIds(h)).isEmpty();
        });
        assertThatIllegalArgumentException().isThrownBy(() -> new HeapGenerator(ig.items(), -1, Flavour.DEFAULT));
    }
}
