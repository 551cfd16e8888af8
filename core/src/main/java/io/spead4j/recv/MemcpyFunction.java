package io.spead4j.recv;

import java.lang.foreign.MemorySegment;

/**
 * How a receive stream copies packet payload into heap memory, spead2's {@code MEMCPY_STD} /
 * {@code MEMCPY_NONTEMPORAL}.
 */
public enum MemcpyFunction {
    /** An ordinary copy, {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}. */
    STD {
        @Override
        public void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
            MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
        }
    },
    /** A copy with non-temporal (cache-bypassing) stores, see {@link NonTemporalCopy}. */
    NONTEMPORAL {
        @Override
        public void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
            if (NonTemporalCopy.AVAILABLE && length >= NONTEMPORAL_MIN_LENGTH) {
                NonTemporalCopy.copy(src, srcOffset, dst, dstOffset, length);
            } else {
                MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
            }
        }
    };

    /** Pieces shorter than this are copied as {@link #STD} copies them even by {@link #NONTEMPORAL}. */
    static final long NONTEMPORAL_MIN_LENGTH = 0;

    /**
     * Copies {@code length} bytes from {@code src} at {@code srcOffset} to {@code dst} at {@code dstOffset}
     * (the ranges must not overlap).
     *
     * @param src the source segment
     * @param srcOffset offset of the first byte in {@code src}
     * @param dst the destination segment, not read-only
     * @param dstOffset offset of the first byte in {@code dst}
     * @param length bytes to copy, at least 0
     * @throws IndexOutOfBoundsException if a range is outside its segment
     * @throws IllegalArgumentException if {@code dst} is read-only
     * @throws IllegalStateException if a segment's scope is closed or not accessible from this thread
     */
    public abstract void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length);
}
