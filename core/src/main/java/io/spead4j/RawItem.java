package io.spead4j;

import java.nio.ByteBuffer;

/**
 * One item of a received heap as it came off the wire: its id, whether it was an immediate, and its raw
 * value bytes (spead2's {@code item} / Python {@code RawItem}). The value is a read-only view of the heap's
 * memory (no copy); for an immediate it holds the A/8 big-endian bytes of the pointer's value field.
 *
 * @param id the item id
 * @param immediate true if the item was sent as an immediate in its item pointer
 * @param immediateValue the immediate's value (the low A bits of the pointer), or 0 for addressed items
 * @param value the raw value bytes, read-only, position 0, limit = length
 */
public record RawItem(long id, boolean immediate, long immediateValue, ByteBuffer value) {
    /** Checks the arguments. */
    public RawItem {
        if (id < 0) {
            throw new IllegalArgumentException("item id must be non-negative, got " + id);
        }
        if (!value.isReadOnly()) {
            value = value.asReadOnlyBuffer();
        }
    }

    /**
     * {@return a fresh read-only view of the value bytes (position 0, limit = length); moving it changes nothing shared}
     */
    @Override
    public ByteBuffer value() {
        return value.duplicate();
    }

    /** {@return the value's length in bytes} */
    public int length() {
        return value.remaining();
    }

    /** {@return a fresh copy of the value bytes} */
    public byte[] bytes() {
        byte[] out = new byte[value.remaining()];
        value.duplicate().get(out);
        return out;
    }
}
