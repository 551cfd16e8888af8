package io.spead4j;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** spead2's ItemGroup rules (SPEAD2-BEHAVIOUR §4.6), plus spead4j's carry-on handling of bad input. */
class ItemGroupTest {
    record TestHeap(long cnt, Flavour flavour, List<RawItem> items, List<Descriptor> descriptors)
            implements DecodedHeap {
    }

    private static Descriptor dtypeDescriptor(long id, String name, String header) {
        return new Descriptor(id, name, name + " description", List.of(), List.of(), header);
    }

    private static Descriptor formatDescriptor(long id, String name, List<Long> shape, FormatEntry... format) {
        return new Descriptor(id, name, name + " description", shape, List.of(format), "");
    }

    private static RawItem raw(long id, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new RawItem(id, false, 0, ByteBuffer.wrap(b));
    }

    private static TestHeap heap(long cnt, List<Descriptor> descriptors, RawItem... items) {
        return new TestHeap(cnt, Flavour.DEFAULT, List.of(items), descriptors);
    }

    @Test
    void descriptorsThenItemsInItemOrder() {
        ItemGroup g = new ItemGroup();
        ItemGroup.Updates u = g.update(heap(1,
                List.of(dtypeDescriptor(0x1001, "a", "{'descr': '|u1', 'fortran_order': False, 'shape': (2,)}"),
                        formatDescriptor(0x1000, "b", List.of(), new FormatEntry('u', 16))),
                raw(Spead.STREAM_CTRL_ID, 0, 0, 0, 0, 0), raw(0x1000, 1, 2), raw(0x1001, 3, 4), raw(0x2000, 9)));
        assertThat(u.keySet()).containsExactly("b", "a");
        assertThat(u.hasErrors()).isFalse();
        assertThat(g.keys()).containsExactly("a", "b");
        assertThat(g.ids()).containsExactly(0x1001L, 0x1000L);
        assertThat(g.get("b").value()).isEqualTo(0x0102L);
        assertThat(g.getById(0x1001).value()).isInstanceOf(NdArray.class);
        assertThat(g.unknownItems()).isEqualTo(1);
        // an update bumps the version twice: set_from_raw, then the group
        assertThat(g.get("b").version()).isEqualTo(3);
    }

    @Test
    void identicalDescriptorKeepsTheItemAndItsValue() {
        ItemGroup g = new ItemGroup();
        Descriptor d = formatDescriptor(0x1000, "x", List.of(), new FormatEntry('u', 8));
        g.update(heap(1, List.of(d), raw(0x1000, 7)));
        Item before = g.get("x");
        g.update(heap(2, List.of(d)));
        assertThat(g.get("x")).isSameAs(before);
        assertThat(before.value()).isEqualTo(7L);
        assertThat(before.version()).isEqualTo(3);
    }

    @Test
    void changedDescriptorReplacesByIdAndByNameWithHigherVersion() {
        ItemGroup g = new ItemGroup();
        g.update(heap(1, List.of(formatDescriptor(0x1000, "x", List.of(), new FormatEntry('u', 8)),
                formatDescriptor(0x1001, "y", List.of(), new FormatEntry('u', 8))), raw(0x1000, 7), raw(0x1001, 8)));
        long oldVersion = g.get("y").version();
        // new item: id of x, name of y
        g.update(heap(2, List.of(formatDescriptor(0x1000, "y", List.of(), new FormatEntry('u', 16)))));
        assertThat(g.keys()).containsExactly("y");
        assertThat(g.ids()).containsExactly(0x1000L);
        Item y = g.get("y");
        assertThat(y.value()).isNull();
        assertThat(y.version()).isEqualTo(oldVersion + 1);
        assertThat(g.getById(0x1001)).isNull();
        // a replaced item moves to the end
        g.update(heap(3, List.of(formatDescriptor(0x1002, "z", List.of(), new FormatEntry('u', 8)))));
        g.update(heap(4, List.of(formatDescriptor(0x1000, "y", List.of(), new FormatEntry('u', 32)))));
        assertThat(g.keys()).containsExactly("z", "y");
    }

    @Test
    void badDescriptorsAndValuesFailOnlyThemselves() {
        ItemGroup g = new ItemGroup();
        ItemGroup.Updates u = g.update(heap(1, List.of(
                dtypeDescriptor(0x1000, "badheader", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,"),
                formatDescriptor(0x1001, "badformat", List.of(), new FormatEntry('z', 8)),
                dtypeDescriptor(0x1002, "short", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,)}"),
                formatDescriptor(0x1003, "good", List.of(-1L), new FormatEntry('u', 8))),
                raw(0x1000, 1), raw(0x1001, 1), raw(0x1002, 1, 2, 3), raw(0x1003, 5, 6)));
        assertThat(u.keySet()).containsExactly("good");
        assertThat(((NdArray) g.get("good").value()).toLongArray()).containsExactly(5, 6);
        assertThat(u.errors()).extracting(ItemGroup.Failure::id).containsExactly(0x1000L, 0x1001L, 0x1002L);
        assertThat(u.errors().get(0).descriptor()).isTrue();
        assertThat(u.errors().get(0).message()).startsWith("Cannot parse descriptor");
        assertThat(u.errors().get(1).message()).contains("illegal format (z, 8)");
        assertThat(u.errors().get(2).descriptor()).isFalse();
        assertThat(u.errors().get(2).message()).isEqualTo("Item short has too few elements for shape (0 < 2)");
        assertThat(g.failures()).isEqualTo(3);
        assertThat(g.contains("badheader")).isFalse();
        assertThat(g.get("short").value()).isNull();
        // ids of failed descriptors are unknown items
        assertThat(g.unknownItems()).isEqualTo(2);
    }

    @Test
    void addItemAssignsTheLowestFreeIdFrom0x1000() {
        ItemGroup g = new ItemGroup();
        Item a = g.addItem(null, "a", "", new long[] {}, DType.parse("<u4"), NdArray.Order.C, 5L);
        Item b = g.addItem(0x1001L, "b", "", new long[] {-1}, Format.of('u', 8), null);
        Item c = g.addItem(null, "c", "", new long[] {}, Format.of('u', 40), null);
        assertThat(a.id()).isEqualTo(0x1000);
        assertThat(b.id()).isEqualTo(0x1001);
        assertThat(c.id()).isEqualTo(0x1002);
        assertThat(a.version()).isEqualTo(1);
        assertThat(a.value()).isEqualTo(5L);
        // identical descriptor with a value: the existing item takes the value
        Item again = g.addItem(0x1000L, "a", "", new long[] {}, DType.parse("<u4"), NdArray.Order.C, 6L);
        assertThat(again).isSameAs(a);
        assertThat(a.value()).isEqualTo(6L);
        assertThat(a.version()).isEqualTo(2);
        assertThat(g.size()).isEqualTo(3);
    }

    @Test
    void swapEndianAppliesTheHeapsBugCompat() {
        ItemGroup g = new ItemGroup();
        TestHeap h = new TestHeap(1, new Flavour(40, BugCompat.SWAP_ENDIAN),
                List.of(raw(0x1000, 0, 1)),
                List.of(dtypeDescriptor(0x1000, "v", "{'descr': '<u2', 'fortran_order': False, 'shape': ()}")));
        g.update(h);
        assertThat(g.get("v").dtype().toString()).isEqualTo(">u2");
        assertThat(g.get("v").value()).isEqualTo(1L);
    }
}
