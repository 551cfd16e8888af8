package io.spead4j.wire;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Writes one SPEAD packet with exactly the item pointers it is given, in that order, and a payload: no heap
 * size, payload offset or payload length pointer is added (spead2's senders always add them). For simulators
 * of hardware whose packets lack them (SKA-Low's tile processing modules and station beamformers, read back
 * with the leniency options of {@code recv.StreamConfig}), and for tests.
 *
 * <p>A reusable flyweight: fill it ({@link #clear()}, then {@link #immediate}, {@link #address},
 * {@link #pointer} and {@link #payload}), then {@link #writeTo} any number of times; nothing is allocated per
 * packet (the pointers live in an array sized at construction; the payload is referenced, not copied, until
 * written). Not thread-safe.
 */
public final class RawPacketWriter {
    private final int heapAddressBits;
    private final long[] pointers;
    private int count;
    private MemorySegment payload = MemorySegment.NULL;

    /**
     * Creates a writer for SPEAD-64-A packets.
     *
     * @param heapAddressBits A: 8 to 56, a multiple of 8 (SKA-Low uses 48)
     * @param maxPointers the most item pointers a packet will have, 0 to {@value PacketHeader#MAX_ITEMS}
     * @throws IllegalArgumentException if either is out of range
     */
    public RawPacketWriter(int heapAddressBits, int maxPointers) {
        if (heapAddressBits < 8 || heapAddressBits > 56 || heapAddressBits % 8 != 0) {
            throw new IllegalArgumentException("heap address bits must be 8..56 in steps of 8, got " + heapAddressBits);
        }
        if (maxPointers < 0 || maxPointers > PacketHeader.MAX_ITEMS) {
            throw new IllegalArgumentException("maxPointers must be 0.." + PacketHeader.MAX_ITEMS + ", got " + maxPointers);
        }
        this.heapAddressBits = heapAddressBits;
        this.pointers = new long[maxPointers];
    }

    /** {@return the heap address width A in bits} */
    public int heapAddressBits() {
        return heapAddressBits;
    }

    /**
     * Forgets the pointers and payload, to describe the next packet.
     *
     * @return this writer
     */
    public RawPacketWriter clear() {
        count = 0;
        payload = MemorySegment.NULL;
        return this;
    }

    /**
     * Appends an item pointer as it is (immediate bit, id and value already encoded, see {@link ItemPointer}).
     *
     * @param pointer the raw 64-bit pointer
     * @return this writer
     * @throws IllegalStateException if the writer already holds {@code maxPointers} pointers
     */
    public RawPacketWriter pointer(long pointer) {
        if (count == pointers.length) {
            throw new IllegalStateException("this writer holds at most " + pointers.length + " item pointers");
        }
        pointers[count++] = pointer;
        return this;
    }

    /**
     * Appends an immediate item pointer.
     *
     * @param id the item id, below 2<sup>63-A</sup>
     * @param value the value, below 2<sup>A</sup>
     * @return this writer
     * @throws IllegalArgumentException if the id or value does not fit
     * @throws IllegalStateException if the writer is full
     */
    public RawPacketWriter immediate(long id, long value) {
        return pointer(encode(true, id, value));
    }

    /**
     * Appends an addressed item pointer.
     *
     * @param id the item id, below 2<sup>63-A</sup>
     * @param address the item's offset in the heap, below 2<sup>A</sup>
     * @return this writer
     * @throws IllegalArgumentException if the id or address does not fit
     * @throws IllegalStateException if the writer is full
     */
    public RawPacketWriter address(long id, long address) {
        return pointer(encode(false, id, address));
    }

    private long encode(boolean immediate, long id, long value) {
        return ItemPointer.encode(immediate, id, value, heapAddressBits);
    }

    /**
     * Sets the payload: the bytes written after the pointers (referenced until {@link #clear()}, not copied).
     *
     * @param payload the payload (may be empty)
     * @return this writer
     */
    public RawPacketWriter payload(MemorySegment payload) {
        this.payload = Objects.requireNonNull(payload, "payload");
        return this;
    }

    /** {@return the number of pointers appended} */
    public int pointerCount() {
        return count;
    }

    /**
     * Reads an appended pointer.
     *
     * @param index 0 .. {@link #pointerCount()} - 1
     * @return the raw pointer
     */
    public long pointerAt(int index) {
        Objects.checkIndex(index, count);
        return pointers[index];
    }

    /** {@return the size of the packet: 8 + 8 × pointers + payload bytes} */
    public long size() {
        return PacketWriter.packetSize(count, payload.byteSize());
    }

    /**
     * Writes the packet: header, the pointers in the order given, the payload.
     *
     * @param dst where to write
     * @param offset where the packet starts in {@code dst}
     * @return the packet size ({@link #size()})
     * @throws IndexOutOfBoundsException if the packet does not fit in {@code dst} from {@code offset}
     */
    public long writeTo(MemorySegment dst, long offset) {
        long size = size();
        Objects.checkFromIndexSize(offset, size, dst.byteSize());
        long at = PacketWriter.writeHeader(dst, offset, heapAddressBits, count);
        for (int i = 0; i < count; i++) {
            at = PacketWriter.writePointer(dst, at, pointers[i]);
        }
        MemorySegment.copy(payload, 0, dst, at, payload.byteSize());
        return size;
    }
}
