package io.spead4j.send;

import io.spead4j.Flavour;
import io.spead4j.Spead;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketHeader;
import io.spead4j.wire.PacketWriter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits one heap into SPEAD packets exactly as spead2's {@code packet_generator}.
 *
 * <p>With P' the maximum packet size rounded down to a multiple of 8 and K = (P' - 48) / 8 the most item
 * pointers a packet carries besides the four it always starts with (HEAP_CNT, HEAP_LENGTH, PAYLOAD_OFFSET,
 * PAYLOAD_LENGTH, all immediate), each packet carries the next {@code min(K, pointers left)} item pointers in
 * item order and as much payload as fits. Every packet has at least one payload byte: a heap whose addressed
 * bytes are too few gets a NULL item pointer after its last item and zero padding, so HEAP_LENGTH includes
 * the padding. With {@link Heap#repeatPointers()} every packet carries all the pointers again.
 *
 * <p>Quirk kept for byte identity: when a packet holds both the last real payload bytes and padding, spead2
 * (release build) writes the padding zeros <em>before</em> that packet's real bytes; so does this class.
 *
 * <p>Use {@link #hasNextPacket()} and {@link #nextPacket(MemorySegment, long)} to write packets into a
 * reusable buffer without allocating, or {@link #packets()} for byte arrays. The heap must not change while
 * packets are generated. Not thread-safe.
 */
public final class PacketGenerator extends PacketProducer {
    /** Bytes of the header plus the four special item pointers. */
    private static final int PREFIX_SIZE = PacketHeader.SIZE + 4 * PacketHeader.POINTER_SIZE;
    /** The most non-special pointers a header can announce besides the four specials. */
    private static final int MAX_POINTERS = PacketHeader.MAX_ITEMS - 4;

    private final Heap.Item[] items;
    private final boolean[] immediate;
    private final int heapAddressBits;
    private final int maxImmediateSize;
    private final boolean repeatPointers;
    private final long cnt;
    private final int maxPacketSize;
    private final int maxPointersPerPacket;
    private final long payloadSize;
    private final boolean needNullItem;
    /** The HEAP_CNT and HEAP_LENGTH pointers (the same in every packet of the heap). */
    private final long cntPointer;
    private final long heapLengthPointer;
    /** The PAYLOAD_OFFSET and PAYLOAD_LENGTH pointers with value 0, to be or-ed with each packet's values. */
    private final long payloadOffsetPointer;
    private final long payloadLengthPointer;

    private long payloadOffset;
    private int nextItemPointer;
    private long nextAddress;
    private int nextItem;
    private long nextItemOffset;

    /**
     * Prepares the packets of a heap.
     *
     * @param heap the heap
     * @param cnt the heap cnt, {@code 0 .. 2^A - 1}
     * @param maxPacketSize the largest packet size in bytes (rounded down to a multiple of 8)
     * @throws IllegalArgumentException "packet size is too small" if the rounded size is below 56, if the heap
     *     repeats pointers but they do not fit in one packet, if the cnt does not fit in A bits, or if the heap
     *     is larger than 2^A - 1 bytes
     */
    public PacketGenerator(Heap heap, long cnt, long maxPacketSize) {
        Objects.requireNonNull(heap, "heap");
        Flavour flavour = heap.flavour();
        long rounded = maxPacketSize & ~7L;
        if (rounded < PREFIX_SIZE + 2L * PacketHeader.POINTER_SIZE) {
            throw new IllegalArgumentException("packet size is too small: " + maxPacketSize
                    + " (at least 56 bytes are needed)");
        }
        if (rounded > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packet size is too large: " + maxPacketSize);
        }
        if (cnt < 0 || cnt > flavour.addressMask()) {
            throw new IllegalArgumentException("heap cnt " + cnt + " does not fit in " + flavour.heapAddressBits()
                    + " bits");
        }
        this.maxPacketSize = (int) rounded;
        this.maxPointersPerPacket = Math.min(MAX_POINTERS, (this.maxPacketSize - PREFIX_SIZE - 8) / 8);
        this.cnt = cnt;
        this.heapAddressBits = flavour.heapAddressBits();
        this.maxImmediateSize = flavour.heapAddressBytes();
        this.repeatPointers = heap.repeatPointers();
        List<Heap.Item> list = heap.items();
        this.items = list.toArray(new Heap.Item[0]);
        this.immediate = new boolean[items.length];
        long payload = 0;
        for (int i = 0; i < items.length; i++) {
            Heap.Item it = items[i];
            immediate[i] = it.inline || (it.allowImmediate && it.data.byteSize() <= maxImmediateSize);
            if (!immediate[i]) {
                payload += it.data.byteSize();
            }
        }
        this.itemBytes = payload;
        long itemPackets = items.length / maxPointersPerPacket + 1;
        if (repeatPointers && itemPackets > 1) {
            throw new IllegalArgumentException("packet size is too small to repeat item pointers ("
                    + items.length + " items, at most " + (maxPointersPerPacket - 1) + " fit)");
        }
        long minPayload = 8 * (itemPackets - 1) + 1;
        boolean needNull = false;
        if (payload < minPayload) {
            payload = minPayload;
            needNull = true;
        }
        if (payload > flavour.addressMask()) {
            throw new IllegalArgumentException("heap of " + payload + " bytes does not fit in "
                    + heapAddressBits + "-bit addresses");
        }
        this.payloadSize = payload;
        this.needNullItem = needNull;
        int bits = heapAddressBits;
        this.cntPointer = ItemPointer.immediate(Spead.HEAP_CNT_ID, cnt, bits);
        this.heapLengthPointer = ItemPointer.immediate(Spead.HEAP_LENGTH_ID, payload, bits);
        this.payloadOffsetPointer = ItemPointer.immediate(Spead.PAYLOAD_OFFSET_ID, 0, bits);
        this.payloadLengthPointer = ItemPointer.immediate(Spead.PAYLOAD_LENGTH_ID, 0, bits);
    }

    /** {@return the packet size limit actually used (the requested one rounded down to a multiple of 8)} */
    public int maxPacketSize() {
        return maxPacketSize;
    }

    /** {@return the heap length sent as HEAP_LENGTH (addressed bytes plus any padding)} */
    public long heapLength() {
        return payloadSize;
    }

    /** {@return the heap cnt} */
    public long cnt() {
        return cnt;
    }

    /** {@return true while packets remain} */
    public boolean hasNextPacket() {
        return payloadOffset < payloadSize;
    }

    /** Payload bytes of the packet being written (set by {@link #beginPacket}). */
    private int packetLength;
    /** Payload bytes of the heap's items (the payload without padding). */
    private final long itemBytes;

    /**
     * Writes the header and item pointers of the next packet, advances the payload offset, sets
     * {@link #packetLength}.
     *
     * @return where the payload starts in {@code dst}
     */
    private long beginPacket(MemorySegment dst, long offset) {
        if (!hasNextPacket()) {
            throw new IllegalStateException("no packet left");
        }
        if (repeatPointers) {
            nextItemPointer = 0;
            nextAddress = 0;
        }
        int bits = heapAddressBits;
        int pointers = Math.min(maxPointersPerPacket, items.length + (needNullItem ? 1 : 0) - nextItemPointer);
        int headerSize = PREFIX_SIZE + PacketHeader.POINTER_SIZE * pointers;
        int length = (int) Math.min(payloadSize - payloadOffset, maxPacketSize - headerSize);
        int size = headerSize + length;
        Objects.checkFromIndexSize(offset, size, dst.byteSize());

        packetLength = length;
        long pos = PacketWriter.writeHeader(dst, offset, bits, pointers + 4);
        // the offset and length are below payloadSize, which fits in the address bits (checked when built)
        pos = PacketWriter.writePointer(dst, pos, cntPointer);
        pos = PacketWriter.writePointer(dst, pos, heapLengthPointer);
        pos = PacketWriter.writePointer(dst, pos, payloadOffsetPointer | payloadOffset);
        pos = PacketWriter.writePointer(dst, pos, payloadLengthPointer | length);
        payloadOffset += length;
        for (int i = 0; i < pointers; i++) {
            long pointer;
            if (nextItemPointer == items.length) {
                pointer = ItemPointer.address(Spead.NULL_ID, nextAddress, bits);
            } else {
                Heap.Item it = items[nextItemPointer];
                if (it.inline) {
                    pointer = ItemPointer.immediate(it.id, it.immediate, bits);
                } else if (immediate[nextItemPointer]) {
                    pointer = ItemPointer.immediate(it.id, rightAligned(it.data), bits);
                } else {
                    pointer = ItemPointer.address(it.id, nextAddress, bits);
                    nextAddress += it.data.byteSize();
                }
            }
            pos = PacketWriter.writePointer(dst, pos, pointer);
            nextItemPointer++;
        }

        return pos;
    }

    /**
     * Writes the next packet (header, item pointers, payload) into a buffer.
     *
     * @param dst destination; at least {@link #maxPacketSize()} bytes from {@code offset} are safe
     * @param offset where the packet starts in {@code dst}
     * @return the packet size in bytes
     * @throws IllegalStateException if no packet remains
     * @throws IndexOutOfBoundsException if the packet does not fit in {@code dst}
     */
    public int nextPacket(MemorySegment dst, long offset) {
        long pos = beginPacket(dst, offset);
        int length = packetLength;
        int size = (int) (pos - offset) + length;
        long start = pos;
        long written = 0;
        long remaining = length;
        while (remaining > 0) {
            if (nextItem == items.length) {
                // Padding: spead2 puts it straight after the pointers, ahead of any real bytes of this packet.
                if (written > 0) {
                    MemorySegment.copy(dst, start, dst, start + remaining, written);
                }
                for (long i = 0; i < remaining; i++) {
                    dst.set(ValueLayout.JAVA_BYTE, start + i, (byte) 0);
                }
                remaining = 0;
            } else if (immediate[nextItem]) {
                nextItem++;
                nextItemOffset = 0;
            } else {
                MemorySegment data = items[nextItem].data;
                long send = Math.min(data.byteSize() - nextItemOffset, remaining);
                MemorySegment.copy(data, nextItemOffset, dst, start + written, send);
                nextItemOffset += send;
                if (nextItemOffset == data.byteSize()) {
                    nextItem++;
                    nextItemOffset = 0;
                }
                remaining -= send;
                written += send;
            }
        }
        return size;
    }

    /** Smallest payload run referenced in place when gathering; shorter runs are copied (cheaper than an iovec). */
    static final int MIN_GATHER_PIECE = 256;

    /**
     * Writes the next packet as pieces of memory recorded in {@code batch} instead of one copy: the header,
     * item pointers, padding and short payload runs go into {@code batch}'s segment at
     * {@link PacketBatch#nextOffset()}, and payload runs of at least {@link #MIN_GATHER_PIECE} bytes in native
     * memory are referenced where they lie (at most {@link PacketBatch#MAX_PIECES} pieces a packet; the rest is
     * copied). The bytes the pieces describe, in order, are exactly what {@link #nextPacket} would write.
     * Memory that {@link #nextPacket} could not read (a closed arena, another thread's confined segment) fails
     * here the same way, as it is copied rather than referenced.
     *
     * @param batch the batch, in gather mode, with room for a packet of {@link #maxPacketSize()} bytes
     * @return the packet size in bytes; {@link #gatheredSegmentBytes()} then says how much of the segment it used
     */
    int nextPacketGathered(PacketBatch batch) {
        MemorySegment dst = batch.segment();
        long offset = batch.nextOffset();
        long pos = beginPacket(dst, offset);
        int length = packetLength;
        long before = payloadOffset - length;
        long real = Math.max(0, Math.min(length, itemBytes - before));
        long padding = length - real;
        for (long i = 0; i < padding; i++) {
            dst.set(ValueLayout.JAVA_BYTE, pos + i, (byte) 0);
        }
        long cursor = pos + padding;
        batch.beginPieces();
        batch.piece(dst.address() + offset, (int) (cursor - offset));
        Thread self = Thread.currentThread();
        long remaining = real;
        while (remaining > 0) {
            if (immediate[nextItem]) {
                nextItem++;
                nextItemOffset = 0;
                continue;
            }
            MemorySegment data = items[nextItem].data;
            long send = Math.min(data.byteSize() - nextItemOffset, remaining);
            if (send >= MIN_GATHER_PIECE && data.isNative() && batch.packetPieces() <= PacketBatch.MAX_PIECES - 2
                    && data.scope().isAlive() && data.isAccessibleBy(self)) {
                batch.piece(data.address() + nextItemOffset, (int) send);
            } else {
                MemorySegment.copy(data, nextItemOffset, dst, cursor, send);
                batch.piece(dst.address() + cursor, (int) send);
                cursor += send;
            }
            nextItemOffset += send;
            if (nextItemOffset == data.byteSize()) {
                nextItem++;
                nextItemOffset = 0;
            }
            remaining -= send;
        }
        gatheredSegmentBytes = (int) (cursor - offset);
        return (int) (pos - offset) + length;
    }

    /** Bytes of the batch's segment used by the last {@link #nextPacketGathered} packet. */
    private int gatheredSegmentBytes;

    /** {@return bytes of the batch's segment the last gathered packet used} */
    int gatheredSegmentBytes() {
        return gatheredSegmentBytes;
    }

    /**
     * Generates all remaining packets as byte arrays (convenient for tests; allocates).
     *
     * @return the packets, in order
     */
    public List<byte[]> packets() {
        List<byte[]> out = new ArrayList<>();
        byte[] scratch = new byte[maxPacketSize];
        MemorySegment seg = MemorySegment.ofArray(scratch);
        while (hasNextPacket()) {
            int size = nextPacket(seg, 0);
            byte[] packet = new byte[size];
            System.arraycopy(scratch, 0, packet, 0, size);
            out.add(packet);
        }
        return out;
    }

    /** The value of a short buffer item read as a big-endian number (right-aligned immediate). */
    private static long rightAligned(MemorySegment data) {
        long value = 0;
        long n = data.byteSize();
        for (long i = 0; i < n; i++) {
            value = (value << 8) | (data.get(ValueLayout.JAVA_BYTE, i) & 0xFF);
        }
        return value;
    }
}
