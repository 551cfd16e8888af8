package io.spead4j;

import java.lang.foreign.MemorySegment;

/** The default {@link MemoryAllocator}: fresh on-heap memory per request. */
final class PlainAllocator implements MemoryAllocator {
    static final PlainAllocator INSTANCE = new PlainAllocator();

    private PlainAllocator() {
    }

    @Override
    public MemorySegment allocate(long size) {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot allocate " + size + " bytes on the Java heap");
        }
        return MemorySegment.ofArray(new byte[(int) size]);
    }

    @Override
    public String toString() {
        return "MemoryAllocator.plain()";
    }
}
