package io.spead4j.testing;

import io.spead4j.RawItem;
import io.spead4j.recv.HeapBase;

import java.nio.ByteBuffer;

/** Reads a received heap's raw items by id, for tests. */
public final class HeapItems {
    private HeapItems() {
    }

    /**
     * {@return the value bytes of a heap's item} (a copy).
     *
     * @param heap the heap
     * @param id the item id
     * @throws AssertionError if the heap has no such item
     */
    public static byte[] bytes(HeapBase heap, long id) {
        for (RawItem item : heap.items()) {
            if (item.id() == id) {
                ByteBuffer v = item.value();
                byte[] out = new byte[v.remaining()];
                v.duplicate().get(out);
                return out;
            }
        }
        throw new AssertionError("heap " + heap.cnt() + " has no item 0x" + Long.toHexString(id));
    }

    /**
     * {@return a heap's item read as a big-endian unsigned number}, e.g. an immediate's value.
     *
     * @param heap the heap
     * @param id the item id
     * @throws AssertionError if the heap has no such item
     */
    public static long number(HeapBase heap, long id) {
        long x = 0;
        for (byte b : bytes(heap, id)) {
            x = (x << 8) | (b & 0xFF);
        }
        return x;
    }
}
