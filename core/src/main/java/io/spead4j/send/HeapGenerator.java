package io.spead4j.send;

import io.spead4j.Flavour;
import io.spead4j.Item;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds delta heaps from a {@link io.spead4j.ItemGroup}: remembers which descriptors and which item values
 * were already sent and adds only what is new (spead2's Python {@code send.HeapGenerator}).
 *
 * <p>For each item, in the group's order: its descriptor is added when the descriptor policy is
 * {@link Policy#ALL}, or {@link Policy#STALE} and the descriptor was never sent, or the descriptor frequency
 * says it is due again, or the item object was replaced in the group (which also makes its value stale);
 * then its value is added when it has one and the data policy is {@link Policy#ALL}, or {@link Policy#STALE}
 * and its version changed since it was last sent. So on the wire a heap reads
 * {@code descriptor(a), a, descriptor(b), b, ...}. Every call counts as one for the descriptor frequency.
 * Values are referenced by the heap, not copied. Not thread-safe.
 */
public final class HeapGenerator {
    /** Which descriptors or values a heap gets. */
    public enum Policy {
        /** Only those not sent yet (or due again, or changed). */
        STALE,
        /** All of them. */
        ALL,
        /** None. */
        NONE
    }

    /** What was last sent of one item id. */
    private static final class Sent {
        Item item;
        long descriptorCall = -1;
        long version = Long.MIN_VALUE;
        boolean versionKnown;

        Sent(Item item) {
            this.item = item;
        }
    }

    private final io.spead4j.ItemGroup items;
    private final int descriptorFrequency;
    private final Flavour flavour;
    private final Map<Long, Sent> sent = new HashMap<>();
    private long calls;

    /**
     * Creates a generator that never re-sends descriptors by itself, with the default flavour.
     *
     * @param items the items to watch
     */
    public HeapGenerator(io.spead4j.ItemGroup items) {
        this(items, 0, Flavour.DEFAULT);
    }

    /**
     * Creates a generator.
     *
     * @param items the items to watch
     * @param descriptorFrequency re-send each descriptor once every this many heaps; 0 for never (spead2's None)
     * @param flavour flavour of the heaps produced
     * @throws IllegalArgumentException if the frequency is negative
     */
    public HeapGenerator(io.spead4j.ItemGroup items, int descriptorFrequency, Flavour flavour) {
        if (descriptorFrequency < 0) {
            throw new IllegalArgumentException("descriptor frequency must be >= 0 (0 = never), got "
                    + descriptorFrequency);
        }
        this.items = Objects.requireNonNull(items, "items");
        this.descriptorFrequency = descriptorFrequency;
        this.flavour = Objects.requireNonNull(flavour, "flavour");
    }

    /** {@return the watched items} */
    public io.spead4j.ItemGroup items() {
        return items;
    }

    /** {@return the flavour of the heaps produced} */
    public Flavour flavour() {
        return flavour;
    }

    /** {@return the descriptor frequency, 0 for never} */
    public int descriptorFrequency() {
        return descriptorFrequency;
    }

    /**
     * Adds what the policies select to a heap (spead2's {@code add_to_heap}).
     *
     * @param heap the heap to add to
     * @param descriptors which descriptors to add
     * @param data which values to add
     * @return {@code heap}
     * @throws IllegalArgumentException if a value cannot be encoded
     */
    public Heap addToHeap(Heap heap, Policy descriptors, Policy data) {
        Objects.requireNonNull(heap, "heap");
        Objects.requireNonNull(descriptors, "descriptors");
        Objects.requireNonNull(data, "data");
        int bugCompat = heap.flavour().bugCompat();
        for (Item item : items.values()) {
            Sent info = sent.computeIfAbsent(item.id(), id -> new Sent(item));
            if (descriptors == Policy.ALL || (descriptors == Policy.STALE && descriptorStale(item, info))) {
                heap.addDescriptor(item.toDescriptor(bugCompat));
                info.descriptorCall = calls;
            }
            if (item.value() != null && (data == Policy.ALL
                    || (data == Policy.STALE && (!info.versionKnown || info.version != item.version())))) {
                heap.addItem(item.id(), item.toBuffer(), item.allowImmediate());
                info.version = item.version();
                info.versionKnown = true;
            }
        }
        calls++;
        return heap;
    }

    private boolean descriptorStale(Item item, Sent info) {
        if (info.descriptorCall < 0) {
            return true;
        }
        if (descriptorFrequency > 0 && calls - info.descriptorCall >= descriptorFrequency) {
            return true;
        }
        if (info.item != item) {
            info.item = item;
            info.versionKnown = false;
            return true;
        }
        return false;
    }

    /** {@return a new heap with stale descriptors and stale values (spead2's {@code get_heap()})} */
    public Heap getHeap() {
        return getHeap(Policy.STALE, Policy.STALE);
    }

    /**
     * Creates a heap of this generator's flavour with what the policies select.
     *
     * @param descriptors which descriptors
     * @param data which values
     * @return the heap
     */
    public Heap getHeap(Policy descriptors, Policy data) {
        return addToHeap(new Heap(flavour), descriptors, data);
    }

    /** {@return a heap holding only a start-of-stream control item} */
    public Heap getStart() {
        return new Heap(flavour).addStart();
    }

    /** {@return a heap holding only an end-of-stream control item} */
    public Heap getEnd() {
        return new Heap(flavour).addEnd();
    }
}
