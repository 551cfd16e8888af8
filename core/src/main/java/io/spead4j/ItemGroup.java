package io.spead4j;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A set of items indexed by name and by id, updated from received heaps (spead2's Python {@code ItemGroup}).
 *
 * <p>{@link #update(DecodedHeap)} first turns the heap's descriptors into items, then decodes every raw item
 * with an id above {@link Spead#STREAM_CTRL_ID} whose id is known. Unlike spead2, which raises on the first bad
 * descriptor or value and leaves the rest of the heap unprocessed, spead4j carries on: each descriptor or item
 * that fails is skipped (an item keeps its previous value), logged at debug, counted in {@link #failures()} and
 * reported in {@link Updates#errors()}; everything else in the heap is still applied.
 *
 * <p>Adding an item whose id is already present with an identical descriptor keeps the existing item (taking
 * over the new item's value if it has one). Otherwise the items with that id and that name are removed and
 * the new one is inserted with a version above theirs ("Descriptor replacement"). {@link #keys()} and
 * {@link #values()} follow insertion order; a replaced item moves to the end. Not thread-safe.
 *
 * <p><b>Value lifetime.</b> By default the values {@link #update} sets own their data: array values are copied
 * out of the heap (one copy per item per heap), so a value the user keeps reads the same for as long as it is
 * referenced, after {@link io.spead4j.recv.Heap#release()} and whatever heaps arrive next, even when the
 * heap's memory came from a {@link MemoryPool} and is reused. spead2's numpy values are views that keep the
 * heap alive; Java has no such reference counting, so spead4j copies instead. {@link #zeroCopy(boolean)
 * zeroCopy(true)} opts out of the copy: array values then view the heap's memory (no copy, no allocation of
 * the data) and are valid only until that heap is released; copy what must outlive it with
 * {@link NdArray#copy()}. Scalar, string and bit-level values are new Java objects either way.
 */
public final class ItemGroup {
    private static final Logger LOG = LoggerFactory.getLogger(ItemGroup.class);

    /**
     * A descriptor or item of a heap that could not be applied.
     *
     * @param id the item id
     * @param name the item's name if known, else null
     * @param descriptor true if the descriptor failed, false if the value failed to decode
     * @param message what was wrong
     */
    public record Failure(long id, String name, boolean descriptor, String message) {
        @Override
        public String toString() {
            return (descriptor ? "descriptor" : "item") + " 0x" + Long.toHexString(id)
                    + (name == null ? "" : " (" + name + ")") + ": " + message;
        }
    }

    /**
     * What one {@link #update} changed: an unmodifiable map of the updated items by name, in the heap's item
     * order, plus the failures met on the way.
     */
    public static final class Updates extends AbstractMap<String, Item> {
        private final Map<String, Item> items;
        private final List<Failure> errors;

        Updates(Map<String, Item> items, List<Failure> errors) {
            this.items = Collections.unmodifiableMap(items);
            this.errors = List.copyOf(errors);
        }

        @Override
        public Set<Entry<String, Item>> entrySet() {
            return items.entrySet();
        }

        @Override
        public Item get(Object key) {
            return items.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return items.containsKey(key);
        }

        /** {@return the descriptors and items of the heap that failed, in the order met} */
        public List<Failure> errors() {
            return errors;
        }

        /** {@return true if something in the heap failed} */
        public boolean hasErrors() {
            return !errors.isEmpty();
        }
    }

    private final Map<String, Item> byName = new LinkedHashMap<>();
    private final Map<Long, Item> byId = new LinkedHashMap<>();
    private long failures;
    private long unknownItems;
    private boolean zeroCopy;

    /** Creates an empty group. */
    public ItemGroup() {
        // empty
    }

    /**
     * Adds an item with the replacement rules of the class doc.
     *
     * @param item the new item
     * @return the item now in the group under that id: the existing one if the descriptor was identical, else
     *     {@code item}
     */
    public Item add(Item item) {
        Objects.requireNonNull(item, "item");
        Item old = byId.get(item.id());
        Item oldByName = byName.get(item.name());
        if (old != null && old.sameDescriptor(item)) {
            if (item.value() != null) {
                old.setValue(item.value());
            }
            return old;
        }
        if (old != null || oldByName != null) {
            LOG.debug("Descriptor replacement for ID {}, name {}", "0x" + Long.toHexString(item.id()), item.name());
        }
        long version = item.version();
        if (old != null) {
            version = Math.max(version, old.version() + 1);
            remove(old);
        }
        if (oldByName != null) {
            version = Math.max(version, oldByName.version() + 1);
            if (oldByName != old) {
                remove(oldByName);
            }
        }
        item.setVersion(version);
        byId.put(item.id(), item);
        byName.put(item.name(), item);
        return item;
    }

    /**
     * Creates and adds a numpy-typed item, taking the lowest free id from {@link Spead#FIRST_USER_ID} when
     * {@code id} is null.
     *
     * @param id the id, or null to assign one
     * @param name the name
     * @param description the description
     * @param shape the dimensions
     * @param dtype the type
     * @param order the storage order
     * @param value the initial value, or null
     * @return the item in the group (see {@link #add})
     */
    public Item addItem(Long id, String name, String description, long[] shape, DType dtype, NdArray.Order order,
                        Object value) {
        return addNew(new Item(id == null ? freeId() : id, name, description, shape, dtype, order, null), value);
    }

    /**
     * Creates and adds a format item, taking the lowest free id from {@link Spead#FIRST_USER_ID} when
     * {@code id} is null.
     *
     * @param id the id, or null to assign one
     * @param name the name
     * @param description the description
     * @param shape the dimensions ({@code -1} for a variable one)
     * @param format the format
     * @param value the initial value, or null
     * @return the item in the group (see {@link #add})
     */
    public Item addItem(Long id, String name, String description, long[] shape, Format format, Object value) {
        return addNew(new Item(id == null ? freeId() : id, name, description, shape, null, NdArray.Order.C, format),
                value);
    }

    private Item addNew(Item item, Object value) {
        if (value != null) {
            item.setValue(value);
            item.setVersion(1); // an initial value does not count as a change, as in spead2
        }
        return add(item);
    }

    private long freeId() {
        long id = Spead.FIRST_USER_ID;
        while (byId.containsKey(id)) {
            id++;
        }
        return id;
    }

    private void remove(Item item) {
        byId.remove(item.id());
        byName.remove(item.name());
    }

    /**
     * Chooses how {@link #update} decodes array values (see "Value lifetime" in the class doc).
     *
     * @param enabled false (the default): array values are copies that stay valid for as long as they are
     *     referenced; true: array values are views of the heap's memory, valid only until the heap is released
     *     ({@link io.spead4j.recv.Heap#release()}), and a recycling allocator may then overwrite them
     * @return this group
     */
    public ItemGroup zeroCopy(boolean enabled) {
        zeroCopy = enabled;
        return this;
    }

    /** {@return true if {@link #update} sets array values that view the heap's memory (see {@link #zeroCopy})} */
    public boolean isZeroCopy() {
        return zeroCopy;
    }

    /**
     * Applies a received heap: its descriptors, then its items (see the class doc). Array values are copies,
     * or views of the heap's memory valid until it is released if {@link #zeroCopy(boolean)} is on.
     *
     * @param heap the heap
     * @return the items updated from this heap by name, in item order, with the failures
     */
    public Updates update(DecodedHeap heap) {
        int bugCompat = heap.flavour().bugCompat();
        List<Failure> errors = new java.util.ArrayList<>();
        for (Descriptor d : heap.descriptors()) {
            try {
                add(Item.fromDescriptor(d, bugCompat));
            } catch (IllegalArgumentException e) {
                failures++;
                errors.add(new Failure(d.id(), d.name(), true, e.getMessage()));
                LOG.debug("heap {}: descriptor for ID 0x{} ({}) ignored: {}", heap.cnt(), Long.toHexString(d.id()),
                        d.name(), e.getMessage());
            }
        }
        Map<String, Item> updated = new LinkedHashMap<>();
        for (RawItem raw : heap.items()) {
            if (raw.id() <= Spead.STREAM_CTRL_ID) {
                continue;
            }
            Item item = byId.get(raw.id());
            if (item == null) {
                unknownItems++;
                LOG.warn("Item with ID 0x{} received but there is no descriptor", Long.toHexString(raw.id()));
                continue;
            }
            try {
                item.setFromRaw(raw, zeroCopy);
            } catch (IllegalArgumentException e) {
                failures++;
                errors.add(new Failure(raw.id(), item.name(), false, e.getMessage()));
                LOG.debug("heap {}: item 0x{} ({}) not updated: {}", heap.cnt(), Long.toHexString(raw.id()),
                        item.name(), e.getMessage());
                continue;
            }
            item.setVersion(item.version() + 1);
            updated.put(item.name(), item);
        }
        return new Updates(updated, errors);
    }

    /**
     * {@return the item with that name, or null if there is none}
     *
     * @param name the item's name
     */
    public Item get(String name) {
        return byName.get(name);
    }

    /**
     * {@return the item with that id, or null if there is none}
     *
     * @param id the item's id
     */
    public Item getById(long id) {
        return byId.get(id);
    }

    /**
     * {@return true if an item has that name}
     *
     * @param name the item's name
     */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /**
     * {@return true if an item has that id}
     *
     * @param id the item's id
     */
    public boolean containsId(long id) {
        return byId.containsKey(id);
    }

    /** {@return the item names in insertion order (read-only live view)} */
    public Set<String> keys() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /** {@return the item ids (read-only live view, insertion order)} */
    public Set<Long> ids() {
        return Collections.unmodifiableSet(byId.keySet());
    }

    /** {@return the items in insertion order of their names (read-only live view)} */
    public Collection<Item> values() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** {@return the number of items} */
    public int size() {
        return byName.size();
    }

    /** {@return how many descriptors and item values failed to apply, over all updates} */
    public long failures() {
        return failures;
    }

    /** {@return how many raw items were skipped because no descriptor had been seen for their id} */
    public long unknownItems() {
        return unknownItems;
    }

    @Override
    public String toString() {
        return "ItemGroup" + byName.keySet();
    }
}
