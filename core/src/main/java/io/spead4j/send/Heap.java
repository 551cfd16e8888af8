package io.spead4j.send;

import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.Spead;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A heap to send, spead2's {@code send::heap}: an ordered list of items in one flavour.
 *
 * <p>Items keep their insertion order on the wire. Buffer values are <em>referenced, not copied</em>: the
 * caller must keep the memory alive and unchanged until every send of this heap has completed (changing it
 * earlier changes what is sent). Segments must be readable from the stream's writer thread: heap memory or
 * global, automatic or shared arenas, not a confined arena (a heap whose memory cannot be read completes
 * with an {@link java.io.IOException}). A heap may be sent several times. It is not thread-safe and must
 * not be modified while it is queued on a stream.
 *
 * <p>An item is sent as an immediate when it is an integer item ({@link #addItem(long, long)},
 * {@link #addStart()}, {@link #addEnd()}), or when it allows immediates and its value has at most A/8 bytes;
 * such a value is right-aligned in the A-bit field with zero bytes on its left (an empty value becomes 0).
 * Every other item is addressed and its bytes go into the heap payload.
 */
public final class Heap {
    /** One item of a heap; fields are read by {@link PacketGenerator}. */
    static final class Item {
        final long id;
        final MemorySegment data;
        final boolean allowImmediate;
        final boolean inline;
        final long immediate;

        Item(long id, MemorySegment data, boolean allowImmediate, boolean inline, long immediate) {
            this.id = id;
            this.data = data;
            this.allowImmediate = allowImmediate;
            this.inline = inline;
            this.immediate = immediate;
        }
    }

    private final Flavour flavour;
    private final List<Item> items = new ArrayList<>();
    private boolean repeatPointers;

    /** Creates an empty heap in the default flavour (SPEAD-64-40, no bug-compat flags). */
    public Heap() {
        this(Flavour.DEFAULT);
    }

    /**
     * Creates an empty heap.
     *
     * @param flavour the flavour its packets (and descriptors) use
     */
    public Heap(Flavour flavour) {
        this.flavour = Objects.requireNonNull(flavour, "flavour");
    }

    /** {@return the heap's flavour} */
    public Flavour flavour() {
        return flavour;
    }

    /** {@return the number of items (descriptors and control items included)} */
    public int numItems() {
        return items.size();
    }

    /**
     * Adds an item whose value is a memory segment (referenced, not copied).
     *
     * @param id item id, {@code 1 .. flavour.maxItemId()}
     * @param value the value's bytes
     * @param allowImmediate whether the item may be sent as an immediate when it has at most A/8 bytes
     * @return this heap
     * @throws IllegalArgumentException if the id is out of range
     */
    public Heap addItem(long id, MemorySegment value, boolean allowImmediate) {
        checkId(id);
        Objects.requireNonNull(value, "value");
        items.add(new Item(id, value, allowImmediate, false, 0));
        return this;
    }

    /**
     * Adds an item whose value is the remaining bytes of a buffer (referenced, not copied; the buffer's
     * position and limit are read now, later changes to them have no effect).
     *
     * @param id item id, {@code 1 .. flavour.maxItemId()}
     * @param value the value
     * @param allowImmediate whether the item may be sent as an immediate when it has at most A/8 bytes
     * @return this heap
     * @throws IllegalArgumentException if the id is out of range
     */
    public Heap addItem(long id, ByteBuffer value, boolean allowImmediate) {
        return addItem(id, MemorySegment.ofBuffer(Objects.requireNonNull(value, "value")), allowImmediate);
    }

    /**
     * Adds an item whose value is a byte array (referenced, not copied).
     *
     * @param id item id, {@code 1 .. flavour.maxItemId()}
     * @param value the value
     * @param allowImmediate whether the item may be sent as an immediate when it has at most A/8 bytes
     * @return this heap
     * @throws IllegalArgumentException if the id is out of range
     */
    public Heap addItem(long id, byte[] value, boolean allowImmediate) {
        return addItem(id, MemorySegment.ofArray(Objects.requireNonNull(value, "value")), allowImmediate);
    }

    /**
     * Adds an integer item, always sent as an immediate (spead2's C++ integer form).
     *
     * @param id item id, {@code 1 .. flavour.maxItemId()}
     * @param value the value, {@code 0 .. 2^A - 1}
     * @return this heap
     * @throws IllegalArgumentException if the id or the value is out of range
     */
    public Heap addItem(long id, long value) {
        checkId(id);
        if (value < 0 || value > flavour.addressMask()) {
            throw new IllegalArgumentException("immediate value " + value + " does not fit in "
                    + flavour.heapAddressBits() + " bits");
        }
        items.add(new Item(id, MemorySegment.NULL, true, true, value));
        return this;
    }

    /**
     * Adds a DESCRIPTOR item (0x05) describing an item, encoded with this heap's flavour by
     * {@link DescriptorEncoder}.
     *
     * @param descriptor the descriptor
     * @return this heap
     * @throws IllegalArgumentException if the described id is out of range for the flavour
     */
    public Heap addDescriptor(Descriptor descriptor) {
        byte[] encoded = DescriptorEncoder.encode(descriptor, flavour);
        items.add(new Item(Spead.DESCRIPTOR_ID, MemorySegment.ofArray(encoded), false, false, 0));
        return this;
    }

    /**
     * Adds the stream-control item STREAM_CTRL = START (0), as an immediate.
     *
     * @return this heap
     */
    public Heap addStart() {
        return addItem(Spead.STREAM_CTRL_ID, Spead.CTRL_STREAM_START);
    }

    /**
     * Adds the stream-control item STREAM_CTRL = STOP (2), as an immediate.
     *
     * @return this heap
     */
    public Heap addEnd() {
        return addItem(Spead.STREAM_CTRL_ID, Spead.CTRL_STREAM_STOP);
    }

    /**
     * Sets whether every packet repeats all the item pointers (default false). The heap then needs fewer
     * items than fit in one packet, else packet generation fails.
     *
     * @param repeat the new setting
     * @return this heap
     */
    public Heap repeatPointers(boolean repeat) {
        this.repeatPointers = repeat;
        return this;
    }

    /** {@return whether every packet repeats all the item pointers} */
    public boolean repeatPointers() {
        return repeatPointers;
    }

    /** {@return the items, in order (the live list, for the packet generator)} */
    List<Item> items() {
        return items;
    }

    private void checkId(long id) {
        if (id <= 0 || id > flavour.maxItemId()) {
            throw new IllegalArgumentException("item id " + id + " out of range 1.." + flavour.maxItemId()
                    + " for " + flavour);
        }
    }
}
