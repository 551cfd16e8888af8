package io.spead4j;

/**
 * Bug-compatibility flags, spead2's {@code BUG_COMPAT_*} values. Combine them with {@code |}.
 */
public final class BugCompat {
    /** Descriptor format entries are 4 bytes and shape entries 8 bytes whatever the flavour. */
    public static final int DESCRIPTOR_WIDTHS = 1;
    /** A variable dimension in a descriptor shape is flagged with value 2 instead of 1. */
    public static final int SHAPE_BIT_1 = 2;
    /** The numpy header advertises the opposite byte order to the data (Python layer). */
    public static final int SWAP_ENDIAN = 4;
    /** All of the above: what PySPEAD 0.5.2 does. */
    public static final int PYSPEAD_0_5_2 = DESCRIPTOR_WIDTHS | SHAPE_BIT_1 | SWAP_ENDIAN;
    /** Every valid bit. */
    public static final int ALL = PYSPEAD_0_5_2;

    private BugCompat() {
    }

    /**
     * Checks a bug-compatibility mask.
     *
     * @param mask the mask
     * @return the mask
     * @throws IllegalArgumentException if it has bits outside {@link #ALL}
     */
    public static int validate(int mask) {
        if ((mask & ~ALL) != 0) {
            throw new IllegalArgumentException("invalid bug_compat mask 0x" + Integer.toHexString(mask)
                    + ": only bits 0x1, 0x2 and 0x4 are defined");
        }
        return mask;
    }
}
