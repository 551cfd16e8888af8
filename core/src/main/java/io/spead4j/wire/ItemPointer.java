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

    /** @return an immediate pointer @param id id @param value value @param heapAddressBits A */
    public static long immediate(long id, long value, int heapAddressBits) {
        return encode(true, id, value, heapAddressBits);
    }

    /** @return an addressed pointer @param id id @param address address @param heapAddressBits A */
    public static long address(long id, long address, int heapAddressBits) {
        return encode(false, id, address, heapAddressBits);
    }

    /** @return true if the pointer is an immediate @param pointer the pointer */
    public static boolean isImmediate(long pointer) {
        return pointer < 0;
    }

    /** @return the pointer's item id @param pointer the pointer @param heapAddressBits A */
    public static long id(long pointer, int heapAddressBits) {
        return (pointer & ~IMMEDIATE_BIT) >>> heapAddressBits;
    }

    /** @return the pointer's value or address (low A bits) @param pointer the pointer @param heapAddressBits A */
    public static long value(long pointer, int heapAddressBits) {
        return pointer & mask(heapAddressBits);
    }

    /** @return {@code 2^A - 1} @param heapAddressBits A */
    public static long mask(int heapAddressBits) {
        return (1L << heapAddressBits) - 1;
    }

    /** @return {@code 2^(63-A) - 1}, the largest item id @param heapAddressBits A */
    public static long maxId(int heapAddressBits) {
        return (1L << (63 - heapAddressBits)) - 1;
    }
}
