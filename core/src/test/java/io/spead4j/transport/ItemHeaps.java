package io.spead4j.transport;

import io.spead4j.Complex;
import io.spead4j.DType;
import io.spead4j.Flavour;
import io.spead4j.Format;
import io.spead4j.Item;
import io.spead4j.ItemGroup;
import io.spead4j.NdArray;
import io.spead4j.send.Heap;
import io.spead4j.send.HeapGenerator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test helpers: sample item groups of several kinds and a small send-heap builder for them. */
final class ItemHeaps {
    /** Elements of the big array: 300 000 × 2 bytes, many packets at any packet size. */
    static final int BIG = 300_000;

    private ItemHeaps() {
    }

    /** A group with scalars, a big array, a Fortran array, complex values, a string and a 40-bit immediate. */
    static ItemGroup sample(int variant) {
        SplittableRandom random = new SplittableRandom(variant * 7919L + 1);
        ItemGroup g = new ItemGroup();
        g.addItem(0x1000L, "scalar_u32", "a scalar", new long[] {}, DType.parse("<u4"), NdArray.Order.C,
                1000L + variant);
        g.addItem(0x1001L, "matrix_f8", "big-endian doubles", new long[] {2, 3}, DType.parse(">f8"),
                NdArray.Order.C, NdArray.ofDoubles(DType.parse(">f8"), new long[] {2, 3},
                        0.5, -1.25, variant, 1e300, -0.0, Math.PI));
        long[] big = new long[BIG];
        for (int i = 0; i < BIG; i++) {
            big[i] = random.nextInt(1 << 16);
        }
        g.addItem(0x1002L, "big_u16", "an array spanning many packets", new long[] {BIG}, DType.parse("<u2"),
                NdArray.Order.C, NdArray.ofLongs(DType.parse("<u2"), new long[] {BIG}, big));
        g.addItem(0x1003L, "fortran_i2", "Fortran order", new long[] {3, 2}, DType.parse("<i2"), NdArray.Order.F,
                NdArray.ofLongs(DType.parse("<i2"), new long[] {3, 2}, -1, 2, -3, 4, -5, variant));
        g.addItem(0x1004L, "complex_c8", "complex", new long[] {2}, DType.parse("<c8"), NdArray.Order.C,
                NdArray.ofComplex(DType.parse("<c8"), new long[] {2}, new Complex(1.5, -2), new Complex(variant, 0.25)));
        g.addItem(0x1005L, "label", "a string", new long[] {-1}, Format.of('c', 8), "hello spead4j #" + variant);
        g.addItem(0x1006L, "timestamp", "a 40-bit immediate", new long[] {}, Format.of('u', 40),
                0x12_3456_7890L + variant);
        g.addItem(0x1007L, "flags", "bools", new long[] {4}, DType.parse("|b1"), NdArray.Order.C,
                NdArray.ofBooleans(new long[] {4}, true, false, variant % 2 == 0, true));
        return g;
    }

    /** A send heap with every item's descriptor and value (spead2's HeapGenerator with descriptors and data 'all'). */
    static Heap heapOf(ItemGroup group, Flavour flavour) {
        return new HeapGenerator(group, 0, flavour).getHeap(HeapGenerator.Policy.ALL, HeapGenerator.Policy.ALL);
    }

    /** Values by name, arrays as nested lists (comparable with equals). */
    static Map<String, Object> values(ItemGroup group) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Item item : group.values()) {
            Object v = item.value();
            out.put(item.name(), v instanceof NdArray a ? a.toNested() : v);
        }
        return out;
    }

    /** Random bytes. */
    static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
