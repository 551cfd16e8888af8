package io.spead4j.wire;

/**
 * Codec of a 64-bit SPEAD item pointer: bit 63 is the mode (1 immediate, 0 address), bits A..62 the item
 * id and bits 0..A-1 the immediate value or payload address, where A is the heap address width.
 * Pure static arithmetic on {@code long}s, no allocation.
 */
public final class ItemPointer {
    /** The mode bit: set for immediates. */
    public static final long IMMEDIATE_BIT = 1L << 63;

    private ItemPointer() {
    }

    /**
     * Builds an item pointer.
     *
     * @param immediate true for an immediate item, false for an addressed one
     * @param id the item id, {@code 0 <= id < 2^(63-A)}
     * @param value immediate value or payload address, {@code 0 <= value < 2^A}
     * @param heapAddressBits A
     * @return the pointer
     * @throws IllegalArgumentException if the id or value does not fit
     */
    public static long encode(boolean immediate, long id, long value, int heapAddressBits) {
        if (id < 0 || id > maxId(heapAddressBits)) {
            throw new IllegalArgumentException("item id 0x" + Long.toHexString(id) + " does not fit in "
                    + (63 - heapAddressBits) + " bits");
        }
        if (value < 0 || value > mask(heapAddressBits)) {
            throw new IllegalArgumentException("value " + value + " does not fit in " + heapAddressBits + " bits");
        }
        return (immediate ? IMMEDIATE_BIT : 0L) | (id << heapAddressBits) | value;
    }

    /**
     * Builds an immediate item pointer, as {@link #encode encode(true, ...)}.
     *
     * @param id the item id, {@code 0 <= id < 2^(63-A)}
     * @param value the immediate value, {@code 0 <= value < 2^A}
     * @param heapAddressBits the heap address width A in bits
     * @return the pointer
     * @throws IllegalArgumentException if the id or value does not fit
     */
    public static long immediate(long id, long value, int heapAddressBits) {
        return encode(true, id, value, heapAddressBits);
    }

    /**
     * Builds an addressed item pointer, as {@link #encode encode(false, ...)}.
     *
     * @param id the item id, {@code 0 <= id < 2^(63-A)}
     * @param address the payload address, {@code 0 <= address < 2^A}
     * @param heapAddressBits the heap address width A in bits
     * @return the pointer
     * @throws IllegalArgumentException if the id or address does not fit
     */
    public static long address(long id, long address, int heapAddressBits) {
        return encode(false, id, address, heapAddressBits);
    }

    /**
     * {@return true if the pointer is an immediate (its mode bit is set)}
     *
     * @param pointer the item pointer
     */
    public static boolean isImmediate(long pointer) {
        return pointer < 0;
    }

    /**
     * {@return the pointer's item id (bits A..62)}
     *
     * @param pointer the item pointer
     * @param heapAddressBits the heap address width A in bits
     */
    public static long id(long pointer, int heapAddressBits) {
        return (pointer & ~IMMEDIATE_BIT) >>> heapAddressBits;
    }

    /**
     * {@return the pointer's immediate value or payload address (the low A bits)}
     *
     * @param pointer the item pointer
     * @param heapAddressBits the heap address width A in bits
     */
    public static long value(long pointer, int heapAddressBits) {
        return pointer & mask(heapAddressBits);
    }

    /**
     * {@return the mask of an A-bit value, {@code 2^A - 1}}
     *
     * @param heapAddressBits the heap address width A in bits
     */
    public static long mask(int heapAddressBits) {
        return (1L << heapAddressBits) - 1;
    }

    /**
     * {@return the largest item id, {@code 2^(63-A) - 1}}
     *
     * @param heapAddressBits the heap address width A in bits
     */
    public static long maxId(int heapAddressBits) {
        return (1L << (63 - heapAddressBits)) - 1;
    }
}
