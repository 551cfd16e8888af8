package io.spead4j;

/**
 * A SPEAD flavour: protocol version 4, 64-bit item pointers, a heap address width and bug-compatibility
 * flags, as spead2's {@code Flavour}. Written SPEAD-64-A where A is the heap address width in bits.
 *
 * <p>The heap address width must be a multiple of 8 between 8 and 56. Item ids then have {@code 63 - A}
 * bits, immediates and heap counters {@code A} bits. Equality compares the address width and the
 * bug-compatibility mask, as spead2 does. Instances are immutable.
 */
public final class Flavour {
    /** The only SPEAD protocol version spead2 and spead4j speak. */
    public static final int VERSION = 4;
    /** The only item pointer width spead2 and spead4j speak, in bits. */
    public static final int ITEM_POINTER_BITS = 64;
    /** spead2's default flavour: SPEAD-64-40 without bug-compatibility flags. */
    public static final Flavour DEFAULT = new Flavour(40, 0);

    private final int heapAddressBits;
    private final int bugCompat;

    /**
     * Creates a flavour with version 4 and 64-bit item pointers.
     *
     * @param heapAddressBits heap address width A in bits: a multiple of 8, {@code 8 <= A <= 56}
     * @param bugCompat bug-compatibility mask, a combination of {@link BugCompat} flags
     * @throws IllegalArgumentException if either argument is out of range
     */
    public Flavour(int heapAddressBits, int bugCompat) {
        if (heapAddressBits <= 0 || heapAddressBits >= ITEM_POINTER_BITS || heapAddressBits % 8 != 0) {
            throw new IllegalArgumentException(
                    "heap address bits must be a multiple of 8 between 8 and 56, got " + heapAddressBits);
        }
        BugCompat.validate(bugCompat);
        this.heapAddressBits = heapAddressBits;
        this.bugCompat = bugCompat;
    }

    /**
     * Creates a flavour the way spead2's four-argument constructor does.
     *
     * @param version SPEAD version, must be 4
     * @param itemPointerBits item pointer width, must be 64
     * @param heapAddressBits heap address width in bits
     * @param bugCompat bug-compatibility mask
     * @return the flavour
     * @throws IllegalArgumentException on any unsupported value
     */
    public static Flavour of(int version, int itemPointerBits, int heapAddressBits, int bugCompat) {
        if (version != VERSION) {
            throw new IllegalArgumentException("SPEAD version must be 4, got " + version);
        }
        if (itemPointerBits != ITEM_POINTER_BITS) {
            throw new IllegalArgumentException("item pointer bits must be 64, got " + itemPointerBits);
        }
        return new Flavour(heapAddressBits, bugCompat);
    }

    /**
     * Creates the flavour SPEAD-64-A without bug-compatibility flags.
     *
     * @param heapAddressBits the heap address width A in bits: a multiple of 8 from 8 to 56
     * @return the flavour
     * @throws IllegalArgumentException if the width is not supported
     */
    public static Flavour of(int heapAddressBits) {
        return heapAddressBits == 40 ? DEFAULT : new Flavour(heapAddressBits, 0);
    }

    /** {@return the SPEAD version (always 4)} */
    public int version() {
        return VERSION;
    }

    /** {@return the item pointer width in bits (always 64)} */
    public int itemPointerBits() {
        return ITEM_POINTER_BITS;
    }

    /** {@return the heap address width A in bits} */
    public int heapAddressBits() {
        return heapAddressBits;
    }

    /** {@return the heap address width in bytes, A / 8} */
    public int heapAddressBytes() {
        return heapAddressBits / 8;
    }

    /** {@return the bug-compatibility mask} */
    public int bugCompat() {
        return bugCompat;
    }

    /** {@return the largest item id this flavour can carry, {@code 2^(63-A) - 1}} */
    public long maxItemId() {
        return (1L << (ITEM_POINTER_BITS - 1 - heapAddressBits)) - 1;
    }

    /** {@return the mask of an A-bit value (heap cnt, address, immediate), {@code 2^A - 1}} */
    public long addressMask() {
        return (1L << heapAddressBits) - 1;
    }

    /**
     * {@return a flavour with the same address width and another bug-compatibility mask}
     *
     * @param mask the bug-compatibility mask ({@link BugCompat} bits)
     * @throws IllegalArgumentException if the mask has undefined bits
     */
    public Flavour withBugCompat(int mask) {
        return mask == bugCompat ? this : new Flavour(heapAddressBits, mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Flavour f && f.heapAddressBits == heapAddressBits && f.bugCompat == bugCompat;
    }

    @Override
    public int hashCode() {
        return heapAddressBits * 31 + bugCompat;
    }

    @Override
    public String toString() {
        return "SPEAD-64-" + heapAddressBits + (bugCompat == 0 ? "" : " bug_compat=" + bugCompat);
    }
}
