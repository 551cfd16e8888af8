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
    private int applied;

    /**
     * Leniency bit: a packet without an immediate PAYLOAD_OFFSET (0x3) is decoded as if its offset were 0.
     * SKA-Low tile processing modules (TPMs) and station beamformers (SPS) send no payload offset.
     */
    public static final int MISSING_PAYLOAD_OFFSET_IS_ZERO = 1;
    /**
     * Leniency bit: a packet without an immediate HEAP_LENGTH (0x2) and with payload offset 0 is the whole
     * heap (its heap length is its payload length). SKA-Low TPMs and SPS station beamformers send no heap size.
     */
    public static final int MISSING_HEAP_LENGTH_IS_PACKET = 2;
    /**
     * Leniency bit: a packet whose PAYLOAD_LENGTH (0x4) is 0 or missing but which has bytes after its item
     * pointers takes all of them as its payload (only for a datagram, whose end is known). The SKA-Low SPS
     * v1 ("LFAA") station beam format sends a payload length of 0 before 8 KiB of samples.
     */
    public static final int PAYLOAD_LENGTH_FROM_DATAGRAM = 4;
    /** Every leniency bit of the decoder. */
    public static final int ALL_LENIENCY = MISSING_PAYLOAD_OFFSET_IS_ZERO | MISSING_HEAP_LENGTH_IS_PACKET
            | PAYLOAD_LENGTH_FROM_DATAGRAM;

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
        return decode(segment, offset, available, 0);
    }

    /**
     * Decodes a packet as {@link #decode(MemorySegment, long, long)} does, bending spead2's rules as the
     * given leniency bits allow (each off bit keeps spead2's rule exactly). {@link #leniencyApplied()} then
     * tells which bits this packet needed.
     *
     * @param segment the memory holding the packet
     * @param offset offset of the packet's first byte
     * @param available bytes readable from {@code offset}; with {@link #PAYLOAD_LENGTH_FROM_DATAGRAM} they
     *     must be exactly the datagram
     * @param leniency a combination of {@link #MISSING_PAYLOAD_OFFSET_IS_ZERO},
     *     {@link #MISSING_HEAP_LENGTH_IS_PACKET} and {@link #PAYLOAD_LENGTH_FROM_DATAGRAM} (0 for spead2's rules)
     * @return the packet size, or 0 if the packet is rejected ({@link #status()} tells why)
     * @throws IllegalArgumentException if {@code leniency} has unknown bits
     */
    public long decode(MemorySegment segment, long offset, long available, int leniency) {
        if ((leniency & ~ALL_LENIENCY) != 0) {
            throw new IllegalArgumentException("unknown leniency bits: 0x" + Integer.toHexString(leniency));
        }
        if (this.segment != segment) {
            // a reader decodes from the same memory over and over: skip the store and its GC write barrier
            this.segment = segment;
        }
        this.packetOffset = offset;
        this.size = 0;
        this.applied = 0;
        if (available < PacketHeader.SIZE) {
            return reject(DecodeStatus.TOO_SHORT);
        }
        long header = segment.get(PacketHeader.BE_LONG, offset); // one read for all the header's fields
        if (PacketHeader.magicVersion(header) != PacketHeader.MAGIC_VERSION) {
            return reject(DecodeStatus.BAD_MAGIC);
        }
        int bits = PacketHeader.validHeapAddressBits(header);
        if (bits == 0) {
            return reject(DecodeStatus.BAD_FLAVOUR);
        }
        int n = PacketHeader.numItems(header);
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
        int used = 0;
        if (leniency != 0) {
            long pointersEnd = PacketHeader.SIZE + (long) PacketHeader.POINTER_SIZE * n;
            if (payOffset < 0 && (leniency & MISSING_PAYLOAD_OFFSET_IS_ZERO) != 0) {
                payOffset = 0;
                used |= MISSING_PAYLOAD_OFFSET_IS_ZERO;
            }
            if (payLength <= 0 && available > pointersEnd && (leniency & PAYLOAD_LENGTH_FROM_DATAGRAM) != 0) {
                payLength = available - pointersEnd;
                used |= PAYLOAD_LENGTH_FROM_DATAGRAM;
            }
            if (length < 0 && payOffset == 0 && payLength >= 0 && (leniency & MISSING_HEAP_LENGTH_IS_PACKET) != 0) {
                length = payLength;
                used |= MISSING_HEAP_LENGTH_IS_PACKET;
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
        applied = used;
        if (status != DecodeStatus.OK) {
            status = DecodeStatus.OK; // as above: no reference store (and barrier) per packet
        }
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
        long header = segment.get(PacketHeader.BE_LONG, offset); // one read for all the header's fields, as decode
        int bits = PacketHeader.validHeapAddressBits(header);
        if (bits == 0) {
            return -1;
        }
        int n = PacketHeader.numItems(header);
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

    /** {@return the outcome of the last {@link #decode}} */
    public DecodeStatus status() {
        return status;
    }

    /**
     * {@return the leniency bits the last successful decode needed (0 if the packet follows spead2's rules,
     *     or was rejected)}
     */
    public int leniencyApplied() {
        return applied;
    }

    /** {@return the segment of the last decoded packet} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return offset of the last decoded packet in its segment} */
    public long packetOffset() {
        return packetOffset;
    }

    /** {@return the decoded packet's size (0 if rejected)} */
    public long size() {
        return size;
    }

    /** {@return heap address width A in bits} */
    public int heapAddressBits() {
        return heapAddressBits;
    }

    /** {@return number of item pointers in the header} */
    public int numItems() {
        return numItems;
    }

    /** {@return HEAP_CNT} */
    public long heapCnt() {
        return heapCnt;
    }

    /** {@return HEAP_LENGTH, or -1 if the packet has none (unsized heap)} */
    public long heapLength() {
        return heapLength;
    }

    /** {@return PAYLOAD_OFFSET} */
    public long payloadOffset() {
        return payloadOffset;
    }

    /** {@return PAYLOAD_LENGTH} */
    public long payloadLength() {
        return payloadLength;
    }

    /** {@return the number of pointers from the first non-special one to the last} */
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

    /** {@return offset in {@link #segment()} of the first payload byte} */
    public long payloadStart() {
        return packetOffset + PacketHeader.SIZE + (long) PacketHeader.POINTER_SIZE * numItems;
    }

    /** {@return a slice of the segment holding this packet's payload (allocates a segment view)} */
    public MemorySegment payload() {
        return segment.asSlice(payloadStart(), payloadLength);
    }
}
