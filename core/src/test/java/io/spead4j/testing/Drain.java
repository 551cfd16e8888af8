package io.spead4j.testing;

import io.spead4j.recv.HeapBase;

import java.util.ArrayList;
import java.util.List;

/** Collects every heap a receive stream delivers until it stops. */
public final class Drain {
    private Drain() {
    }

    /** @return the heaps in delivery order @param stream the stream (iteration ends at stop) */
    public static List<HeapBase> heaps(Iterable<HeapBase> stream) {
        List<HeapBase> out = new ArrayList<>();
        for (HeapBase h : stream) {
            out.add(h);
        }
        return out;
    }
}
