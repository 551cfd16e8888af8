package io.spead4j.flink;

import io.spead4j.RawItem;
import io.spead4j.Spead;
import io.spead4j.recv.Heap;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A received SPEAD heap as a Flink record: a POJO (public fields, public no-argument constructor) whose fields
 * are all of Flink's own types (strings, primitives, primitive arrays and arrays of {@code byte[]}), so Flink
 * serializes it with its POJO serializer and never falls back to Kryo.
 *
 * <p>Items are held in wire order as parallel arrays: {@code ids[i]} is sent as an immediate if
 * {@code immediate[i]}, and {@code values[i]} is its raw value bytes (for an immediate, the heap-address-width
 * big-endian bytes of its value). Descriptor (0x05) and stream control (0x06) items are left out.
 */
public final class SpeadHeapRecord {
    /** The split the heap arrived on ({@link SpeadEndpoint#splitId()}). */
    public String endpoint;
    /** The heap counter. */
    public long cnt;
    /** The item ids. */
    public long[] ids;
    /** Whether each item was an immediate. */
    public boolean[] immediate;
    /** The raw value bytes of each item. */
    public byte[][] values;

    /** Creates an empty record (for Flink's POJO serializer). */
    public SpeadHeapRecord() {
        this.endpoint = "";
        this.ids = new long[0];
        this.immediate = new boolean[0];
        this.values = new byte[0][];
    }

    /**
     * Copies a received heap (the heap's memory may be released afterwards).
     *
     * @param endpoint the split id
     * @param heap the heap
     * @return the record
     */
    public static SpeadHeapRecord of(String endpoint, Heap heap) {
        List<RawItem> items = heap.items().stream()
                .filter(it -> it.id() != Spead.DESCRIPTOR_ID && it.id() != Spead.STREAM_CTRL_ID).toList();
        SpeadHeapRecord r = new SpeadHeapRecord();
        r.endpoint = endpoint;
        r.cnt = heap.cnt();
        r.ids = new long[items.size()];
        r.immediate = new boolean[items.size()];
        r.values = new byte[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            RawItem it = items.get(i);
            r.ids[i] = it.id();
            r.immediate[i] = it.immediate();
            r.values[i] = it.bytes();
        }
        return r;
    }

    /**
     * The value of an item as an unsigned big-endian integer of at most 8 bytes (an immediate's value, or a
     * short addressed item such as a {@code >u8}).
     *
     * @param id the item id
     * @return the value
     * @throws NoSuchElementException if the heap has no such item
     * @throws IllegalArgumentException if its value is longer than 8 bytes
     */
    public long longValue(long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return bigEndian(values[i], id);
            }
        }
        throw new NoSuchElementException("heap " + cnt + " from " + endpoint + " has no item 0x" + Long.toHexString(id));
    }

    /**
     * Whether the heap has an item.
     *
     * @param id the item id
     * @return true if present
     */
    public boolean hasItem(long id) {
        for (long i : ids) {
            if (i == id) {
                return true;
            }
        }
        return false;
    }

    static long bigEndian(byte[] value, long id) {
        if (value.length > Long.BYTES) {
            throw new IllegalArgumentException("item 0x" + Long.toHexString(id) + " has " + value.length
                    + " bytes, more than a long holds");
        }
        long v = 0;
        for (byte b : value) {
            v = (v << 8) | (b & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        return "SpeadHeapRecord[" + endpoint + " cnt=" + cnt + " ids=" + Arrays.toString(ids) + "]";
    }
}
