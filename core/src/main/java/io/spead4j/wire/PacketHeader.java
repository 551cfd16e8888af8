package io.spead4j.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of the 8-byte SPEAD packet header (big-endian): magic {@code 0x53}, version 4, item id width in
 * bytes, heap address width in bytes, two reserved bytes, number of item pointers. Static offsets and
 * accessors over a {@link MemorySegment}; no state, no allocation.
 */
public final class PacketHeader {
    /** Offset of the magic byte. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 1;
    /** Offset of the item id width (bytes). */
    public static final int ITEM_ID_WIDTH_OFFSET = 2;
    /** Offset of the heap address width (bytes). */
    public static final int HEAP_ADDRESS_WIDTH_OFFSET = 3;
    /** Offset of the two reserved bytes. */
    public static final int RESERVED_OFFSET = 4;
    /** Offset of the big-endian 16-bit number of item pointers. */
    public static final int NUM_ITEMS_OFFSET = 6;
    /** Size of the header. */
    public static final int SIZE = 8;
    /** Size of one item pointer. */
    public static final int POINTER_SIZE = 8;
    /** The first two bytes of every packet, big-endian: magic and version. */
    public static final int MAGIC_VERSION = 0x5304;
    /** The largest number of item pointers a header can announce. */
    public static final int MAX_ITEMS = 0xFFFF;

    /** Big-endian unaligned 64-bit layout used for headers and pointers. */
    public static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Big-endian unaligned 16-bit layout. */
    public static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private PacketHeader() {
    }

    /**
     * Writes a header for SPEAD-64-A with {@code numItems} pointers.
     *
     * @param segment where to write
     * @param offset offset of the header in the segment
     * @param heapAddressBits A
     * @param numItems number of item pointers, 0..65535
     */
    public static void write(MemorySegment segment, long offset, int heapAddressBits, int numItems) {
        if (numItems < 0 || numItems > MAX_ITEMS) {
            throw new IllegalArgumentException("number of item pointers must be 0..65535, got " + numItems);
        }
        int addressBytes = heapAddressBits / 8;
        long header = ((long) MAGIC_VERSION << 48) | ((long) (8 - addressBytes) << 40)
                | ((long) addressBytes << 32) | numItems;
        segment.set(BE_LONG, offset, header);
    }

    /**
     * {@return the header's first 16 bits: magic and version ({@link #MAGIC_VERSION} in a valid packet)}
     *
     * @param segment the packet
     * @param offset offset of the header in the segment
     */
    public static int magicVersion(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(BE_SHORT, offset + MAGIC_OFFSET));
    }

    /**
     * {@return the header's item id width in bytes}
     *
     * @param segment the packet
     * @param offset offset of the header in the segment
     */
    public static int itemIdBytes(MemorySegment segment, long offset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset + ITEM_ID_WIDTH_OFFSET));
    }

    /**
     * {@return the header's heap address width in bytes}
     *
     * @param segment the packet
     * @param offset offset of the header in the segment
     */
    public static int heapAddressBytes(MemorySegment segment, long offset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset + HEAP_ADDRESS_WIDTH_OFFSET));
    }

    /**
     * {@return the number of item pointers the header announces}
     *
     * @param segment the packet
     * @param offset offset of the header in the segment
     */
    public static int numItems(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(BE_SHORT, offset + NUM_ITEMS_OFFSET));
    }

    /**
     * Checks magic, version and widths the way spead2 does.
     *
     * @param segment packet
     * @param offset header offset (at least 8 bytes must be readable)
     * @return the heap address width in bits, or 0 if the header is not a valid SPEAD-64-* header
     */
    public static int validHeapAddressBits(MemorySegment segment, long offset) {
        return validHeapAddressBits(segment.get(BE_LONG, offset));
    }

    /**
     * Checks magic, version and widths as {@link #validHeapAddressBits(MemorySegment, long)} does, from the
     * header's 8 bytes read as one big-endian word (a decoder reads it once instead of field by field).
     *
     * @param header the header word
     * @return the heap address width in bits, or 0 if the header is not a valid SPEAD-64-* header
     */
    public static int validHeapAddressBits(long header) {
        if (magicVersion(header) != MAGIC_VERSION) {
            return 0;
        }
        int idBytes = (int) (header >>> 40) & 0xFF;
        int addressBytes = (int) (header >>> 32) & 0xFF;
        if (idBytes == 0 || addressBytes == 0 || idBytes + addressBytes != 8) {
            return 0;
        }
        return addressBytes * 8;
    }

    /**
     * {@return magic and version from the header word}
     *
     * @param header the header's 8 bytes, read big-endian
     */
    public static int magicVersion(long header) {
        return (int) (header >>> 48);
    }

    /**
     * {@return the number of item pointers from the header word}
     *
     * @param header the header's 8 bytes, read big-endian
     */
    public static int numItems(long header) {
        return (int) header & 0xFFFF;
    }
}
