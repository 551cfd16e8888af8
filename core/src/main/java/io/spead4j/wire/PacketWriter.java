package io.spead4j.wire;

import java.lang.foreign.MemorySegment;

/**
 * Writes SPEAD packets: a header, item pointers, then payload. Static helpers over a
 * {@link MemorySegment}, big-endian, no allocation.
 */
public final class PacketWriter {
    private PacketWriter() {
    }

    /**
     * Writes the header of a packet.
     *
     * @param segment destination
     * @param offset packet offset
     * @param heapAddressBits A
     * @param numItems number of item pointers
     * @return the offset just after the header
     */
    public static long writeHeader(MemorySegment segment, long offset, int heapAddressBits, int numItems) {
        PacketHeader.write(segment, offset, heapAddressBits, numItems);
        return offset + PacketHeader.SIZE;
    }

    /**
     * Writes one item pointer.
     *
     * @param segment destination
     * @param offset where the pointer goes
     * @param pointer the pointer (see {@link ItemPointer})
     * @return the offset just after it
     */
    public static long writePointer(MemorySegment segment, long offset, long pointer) {
        segment.set(PacketHeader.BE_LONG, offset, pointer);
        return offset + PacketHeader.POINTER_SIZE;
    }

    /**
     * {@return the size in bytes of a packet with {@code numItems} pointers and {@code payloadLength} bytes
     *     of payload}
     *
     * @param numItems number of item pointers
     * @param payloadLength payload length in bytes
     */
    public static long packetSize(int numItems, long payloadLength) {
        return PacketHeader.SIZE + (long) PacketHeader.POINTER_SIZE * numItems + payloadLength;
    }
}
