package io.spead4j.send;

import io.spead4j.DType;
import io.spead4j.Flavour;
import io.spead4j.Format;
import io.spead4j.Item;
import io.spead4j.NdArray;

import java.util.Collection;
import java.util.Set;

/**
 * The sending side's item group (spead2's Python {@code send.ItemGroup}): a {@link io.spead4j.ItemGroup} of
 * named, described items together with the {@link HeapGenerator} that turns changes into heaps.
 *
 * <pre>{@code
 * var ig = new io.spead4j.send.ItemGroup();
 * ig.addItem(null, "timestamp", "sync time", new long[0], Format.of('u', 40), 1234567L);
 * stream.sendHeap(ig.getHeap());   // descriptor + value
 * ig.get("timestamp").setValue(1234568L);
 * stream.sendHeap(ig.getHeap());   // value only
 * stream.sendHeap(ig.getEnd());
 * }</pre>
 */
public final class ItemGroup {
    private final io.spead4j.ItemGroup items = new io.spead4j.ItemGroup();
    private final HeapGenerator generator;

    /** Creates an empty group producing SPEAD-64-40 heaps that send each descriptor once. */
    public ItemGroup() {
        this(0, Flavour.DEFAULT);
    }

    /**
     * Creates an empty group.
     *
     * @param descriptorFrequency re-send descriptors every this many heaps, 0 for never
     * @param flavour flavour of the heaps produced
     */
    public ItemGroup(int descriptorFrequency, Flavour flavour) {
        this.generator = new HeapGenerator(items, descriptorFrequency, flavour);
    }

    /** {@return the underlying item group (names, ids, values)} */
    public io.spead4j.ItemGroup items() {
        return items;
    }

    /** {@return the heap generator} */
    public HeapGenerator generator() {
        return generator;
    }

    /**
     * Adds an item (see {@link io.spead4j.ItemGroup#add}).
     *
     * @param item the item
     * @return the item now held under its id
     */
    public Item add(Item item) {
        return items.add(item);
    }

    /**
     * Adds a numpy-typed item (see {@link io.spead4j.ItemGroup#addItem(Long, String, String, long[], DType,
     * NdArray.Order, Object)}).
     *
     * @param id the id, or null for the lowest free id from 0x1000
     * @param name name
     * @param description description
     * @param shape shape, -1 for a variable dimension
     * @param dtype numpy dtype
     * @param order C or F
     * @param value initial value or null
     * @return the item
     */
    public Item addItem(Long id, String name, String description, long[] shape, DType dtype, NdArray.Order order,
                        Object value) {
        return items.addItem(id, name, description, shape, dtype, order, value);
    }

    /**
     * Adds an item described by a legacy format list.
     *
     * @param id the id, or null for the lowest free id from 0x1000
     * @param name name
     * @param description description
     * @param shape shape, -1 for a variable dimension
     * @param format format list
     * @param value initial value or null
     * @return the item
     */
    public Item addItem(Long id, String name, String description, long[] shape, Format format, Object value) {
        return items.addItem(id, name, description, shape, format, value);
    }

    /**
     * {@return the item called {@code name}, or null if there is none}
     *
     * @param name the item's name
     */
    public Item get(String name) {
        return items.get(name);
    }

    /**
     * {@return the item with this id, or null if there is none}
     *
     * @param id the item's id
     */
    public Item getById(long id) {
        return items.getById(id);
    }

    /** {@return the names in insertion order} */
    public Set<String> keys() {
        return items.keys();
    }

    /** {@return the items in insertion order} */
    public Collection<Item> values() {
        return items.values();
    }

    /** {@return a heap with stale descriptors and changed values} */
    public Heap getHeap() {
        return generator.getHeap();
    }

    /**
     * Creates a heap with what the policies select.
     *
     * @param descriptors which descriptors
     * @param data which values
     * @return the heap
     */
    public Heap getHeap(HeapGenerator.Policy descriptors, HeapGenerator.Policy data) {
        return generator.getHeap(descriptors, data);
    }

    /** {@return a start-of-stream heap} */
    public Heap getStart() {
        return generator.getStart();
    }

    /** {@return an end-of-stream heap} */
    public Heap getEnd() {
        return generator.getEnd();
    }
}
