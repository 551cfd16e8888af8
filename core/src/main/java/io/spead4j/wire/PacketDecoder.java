package io.spead4j.wire;

import io.spead4j.Spead;

import java.lang.foreign.MemorySegment;

/**
 * Validates and decodes one SPEAD packet in place, exactly as spead2's {@code decode_packet}: a reusable
 * flyweight that allocates nothing. After a successful {@link #decode}, the accessors describe the packet;
 * after a failure, {@link #status()} says why.
 *
 * <p>Only immediate pointers with ids 1 to 4 are special (heap cnt, heap length, payload offset, payload
 * length; a later duplicate overrides an earlier one). The pointer list exposed by {@link #pointerCount()}
 * and {@link #pointer(int)} starts at the first non-special pointer, as in spead2; specials after it stay in
 * the list. Not thread-safe: use one instance per thread.
 */
public final class PacketDecoder {
    private MemorySegment segment = MemorySegment.NULL;
    private long packetOffset;
    private DecodeStatus status = DecodeStatus.TOO_SHORT;
    private int heapAddressBits;
    private int numItems;
    private long heapCnt;
    private long heapLength;
    private long payloadOffset;
    private long payloadLength;
    private int firstPointer;
    private long size;

    /** Creates a decoder. */
    public PacketDecoder() {
        // nothing to set up
    }

    /**
     * Decodes the packet at {@code offset} in {@code segment}, of which {@code available} bytes may be read.
     *
     * @param segment the memory holding the packet
     * @param offset offset of the packet's first byte
     * @param available bytes readable from {@code offset} (the datagram length, or what is left of a buffer)
     * @return the packet size (8 + 8n + payload length, possibly less than {@code available}), or 0 if the
     *     packet is rejected ({@link #status()} tells why)
     */
    public long decode(MemorySegment segment, long offset, long available) {
        this.segment = segment;
        this.packetOffset = offset;
        this.size = 0;
        if (available < PacketHeader.SIZE) {
            return reject(DecodeStatus.TOO_SHORT);
        }
        if (PacketHeader.magicVersion(segment, offset) != PacketHeader.MAGIC_VERSION) {
            return reject(DecodeStatus.BAD_MAGIC);
        }
        int bits = PacketHeader.validHeapAddressBits(segment, offset);
        if (bits == 0) {
            return reject(DecodeStatus.BAD_FLAVOUR);
        }
        int n = PacketHeader.numItems(segment, offset);
        if (PacketHeader.SIZE + (long) PacketHeader.POINTER_SIZE * n > available) {
            return reject(DecodeStatus.POINTERS_OVERFLOW);
        }
        heapAddressBits = bits;
        numItems = n;
        long cnt = -1;
        long length = -1;
        long payOffset = -1;
        long payLength = -1;
        int first = n;
        long mask = ItemPointer.mask(bits);
        long base = offset + PacketHeader.SIZE;
        for (int i = 0; i < n; i++) {
            long p = segment.get(PacketHeader.BE_LONG, base + (long) i * PacketHeader.POINTER_SIZE);
            boolean special = false;
            if (p < 0) {
                long id = (p & ~ItemPointer.IMMEDIATE_BIT) >>> bits;
                long value = p & mask;
                special = true;
                switch ((int) Math.min(id, Integer.MAX_VALUE)) {
                    case Spead.HEAP_CNT_ID -> cnt = value;
                    case Spead.HEAP_LENGTH_ID -> length = value;
                    case Spead.PAYLOAD_OFFSET_ID -> payOffset = value;
                    case Spead.PAYLOAD_LENGTH_ID -> payLength = value;
                    default -> special = false;
                }
            }
            if (!special && first == n) {
                first = i;
            }
        }
        if (cnt < 0 || payOffset < 0 || payLength < 0) {
            return reject(DecodeStatus.MISSING_ITEMS);
        }
        long total = PacketHeader.SIZE + (long) PacketHeader.POINTER_SIZE * n + payLength;
        if (total > available) {
            return reject(DecodeStatus.PAYLOAD_OVERFLOW);
        }
        if (length >= 0 && payOffset + payLength > length) {
            return reject(DecodeStatus.PAYLOAD_BEYOND_HEAP);
        }
        heapCnt = cnt;
        heapLength = length;
        payloadOffset = payOffset;
        payloadLength = payLength;
        firstPointer = first;
        size = total;
        status = DecodeStatus.OK;
        return total;
    }

    private long reject(DecodeStatus why) {
        status = why;
        return 0;
    }

    /**
     * Finds the size of the packet at the start of a byte stream, as spead2's {@code get_packet_size}
     * (used to frame TCP): the payload length is the <em>first</em> immediate PAYLOAD_LENGTH.
     *
     * @param segment the data
     * @param offset where the packet starts
     * @param available bytes readable from {@code offset}
     * @return the packet size; 0 if more bytes are needed to know it; -1 if the header is bad or the
     *     packet has no PAYLOAD_LENGTH
     */
    public static long packetSize(MemorySegment segment, long offset, long available) {
        if (available < PacketHeader.SIZE) {
            return 0;
        }
        int bits = PacketHeader.validHeapAddressBits(segment, offset);
        if (bits == 0) {
            return -1;
        }
        int n = PacketHeader.numItems(segment, offset);
        long pointersEnd = PacketHeader.SIZE + (long) PacketHeader.POINTER_SIZE * n;
        if (pointersEnd > available) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            long p = segment.get(PacketHeader.BE_LONG, offset + PacketHeader.SIZE + (long) i * PacketHeader.POINTER_SIZE);
            if (p < 0 && ItemPointer.id(p, bits) == Spead.PAYLOAD_LENGTH_ID) {
                return pointersEnd + ItemPointer.value(p, bits);
            }
        }
        return -1;
    }

    /** @return the outcome of the last {@link #decode} */
    public DecodeStatus status() {
        return status;
    }

    /** @return the segment of the last decoded packet */
    public MemorySegment segment() {
        return segment;
    }

    /** @return offset of the last decoded packet in its segment */
    public long packetOffset() {
        return packetOffset;
    }

    /** @return the decoded packet's size (0 if rejected) */
    public long size() {
        return size;
    }

    /** @return heap address width A in bits */
    public int heapAddressBits() {
        return heapAddressBits;
    }

    /** @return number of item pointers in the header */
    public int numItems() {
        return numItems;
    }

    /** @return HEAP_CNT */
    public long heapCnt() {
        return heapCnt;
    }

    /** @return HEAP_LENGTH, or -1 if the packet has none (unsized heap) */
    public long heapLength() {
        return heapLength;
    }

    /** @return PAYLOAD_OFFSET */
    public long payloadOffset() {
        return payloadOffset;
    }

    /** @return PAYLOAD_LENGTH */
    public long payloadLength() {
        return payloadLength;
    }

    /** @return the number of pointers from the first non-special one to the last */
    public int pointerCount() {
        return numItems - firstPointer;
    }

    /**
     * Reads one pointer of the list that starts at the first non-special pointer.
     *
     * @param index 0 .. {@link #pointerCount()} - 1
     * @return the raw 64-bit pointer
     */
    public long pointer(int index) {
        return segment.get(PacketHeader.BE_LONG,
                packetOffset + PacketHeader.SIZE + (long) (firstPointer + index) * PacketHeader.POINTER_SIZE);
    }

    /**
     * Reads any pointer of the packet, special or not.
     *
     * @param index 0 .. {@link #numItems()} - 1
     * @return the raw 64-bit pointer
     */
    public long rawPointer(int index) {
        return segment.get(PacketHeader.BE_LONG,
                packetOffset + PacketHeader.SIZE + (long) index * PacketHeader.POINTER_SIZE);
    }

    /** @return offset in {@link #segment()} of the first payload byte */
    public long payloadStart() {
        return packetOffset + PacketHeader.SIZE + (long) PacketHeader.POINTER_SIZE * numItems;
    }

    /** @return a slice of the segment holding this packet's payload (allocates a segment view) */
    public MemorySegment payload() {
        return segment.asSlice(payloadStart(), payloadLength);
    }
}
