package io.spead4j.recv;

import java.lang.foreign.MemorySegment;

/**
 * How a receive stream copies packet payload into heap memory, spead2's {@code MEMCPY_STD} /
 * {@code MEMCPY_NONTEMPORAL}.
 *
 * <p>Measured with {@code MemcpyBenchmark} (successive 1 to 9 KiB pieces from a cache-resident packet buffer into
 * a 64 MiB destination, AMD EPYC VM, 2 cores, glibc 2.36, JDK 25): libc {@code memcpy} through an FFM downcall
 * (plain, {@code critical(false)}, or {@code critical(true)} for on-heap destinations) was not consistently
 * faster than {@link MemorySegment#copy} (within noise at most sizes, faster only native-to-native at 1472
 * bytes), so {@link #STD} is {@code MemorySegment.copy}. Non-temporal stores were 5 to 40% faster than it for
 * pieces of 4 KiB and more, and about half its speed for 1 to 1.5 KiB pieces (the closing {@code sfence} dominates
 * a short copy), so {@link #NONTEMPORAL} uses them only from {@value #NONTEMPORAL_MIN_LENGTH} bytes up. As in
 * spead2, non-temporal stores leave the payload out of the cache: choose {@link #NONTEMPORAL} when the consumer
 * does not read the heap soon after it is received (or from another core's cache), with large packets.
 */
public enum MemcpyFunction {
    /** An ordinary copy, {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}. */
    STD {
        @Override
        public void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
            MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
        }
    },
    /**
     * A copy with non-temporal (cache-bypassing) stores for pieces of {@value #NONTEMPORAL_MIN_LENGTH} bytes and
     * more, on Linux x86-64 (a small machine-code routine called through FFM, see {@code NonTemporalCopy}); shorter
     * pieces, and every piece on other platforms, are copied as {@link #STD} copies them.
     */
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
    static final long NONTEMPORAL_MIN_LENGTH = 4096;

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
