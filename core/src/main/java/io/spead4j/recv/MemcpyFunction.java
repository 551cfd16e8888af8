package io.spead4j.recv;

/**
 * How a receive stream copies packet payload into heap memory, spead2's {@code MEMCPY_STD} /
 * {@code MEMCPY_NONTEMPORAL}. spead4j copies with {@link java.lang.foreign.MemorySegment#copy}; the
 * non-temporal variant is accepted for compatibility and currently behaves as {@link #STD}.
 */
public enum MemcpyFunction {
    /** An ordinary copy. */
    STD,
    /** A copy that bypasses the cache in spead2; the same as {@link #STD} in spead4j. */
    NONTEMPORAL
}
