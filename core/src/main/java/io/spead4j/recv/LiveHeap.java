package io.spead4j.recv;

import io.spead4j.MemoryAllocator;
import io.spead4j.Spead;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A heap being assembled from packets, spead2's {@code live_heap} (SPEAD2-BEHAVIOUR.md §2.3 to §2.5):
 * payload placement, payload ranges, pointer collection with de-duplication, completeness tests. Used by
 * one thread at a time (under the stream's lock). Allocates per heap, not per packet (except to grow).
 */
final class LiveHeap {
    /** {@link #addPacket} result: the packet was rejected (it disagrees with the heap's length or flavour). */
    static final int REJECTED = 0;
    /** {@link #addPacket} result: rejected because the heap already holds (part of) its payload. */
    static final int REJECTED_DUPLICATE = 3;
    /** {@link #addPacket} result: rejected because it lies beyond a gap and out-of-order packets are off. */
    static final int REJECTED_GAP = 4;
    /** {@link #addPacket} result: the packet was accepted. */
    static final int ACCEPTED = 1;
    /** {@link #addPacket} result: rejected because the heap would exceed the size cap (or allocation failed). */
    static final int OVERSIZED = 2;

    private static final int LINEAR_SEARCH_LIMIT = 16;

    private long cnt;
    private int addressBits;
    private final MemoryAllocator allocator;
    private final MemcpyFunction memcpy;
    /** Where payload goes for a heap {@link #intoSink into a sink}; null otherwise. */
    private PayloadSink sink;
    private long heapLength = -1;
    private long receivedLength;
    private long minLength;
    private boolean endOfStream;
    private MemorySegment payload;
    private long reserved;
    private long[] pointers = new long[8];
    private int pointerCount;
    private long[] seenTable; // open addressing; 0 stored via seenZero
    private int seenSize;
    private boolean seenZero;
    private PayloadRanges ranges;
    private long sourceKey = PacketSource.UNKNOWN;
    private PacketSource.Table sourceTable;

    /**
     * Creates a live heap whose payload memory comes from an allocator, grown as packets state or imply a
     * larger heap.
     *
     * @param cnt the heap's cnt
     * @param addressBits the heap address width of its packets
     * @param allocator where payload memory comes from (and goes back to)
     * @param memcpy how payload is copied in
     */
    LiveHeap(long cnt, int addressBits, MemoryAllocator allocator, MemcpyFunction memcpy) {
        this.cnt = cnt;
        this.addressBits = addressBits;
        this.allocator = allocator;
        this.memcpy = memcpy;
        this.sink = null;
    }

    private LiveHeap(long cnt, int addressBits, PayloadSink sink) {
        this.cnt = cnt;
        this.addressBits = addressBits;
        this.allocator = null;
        this.memcpy = null;
        this.sink = sink;
        this.reserved = Long.MAX_VALUE; // nothing to reserve: the sink decides where each packet goes
    }

    /**
     * Where the payload of a heap created {@link #intoSink into a sink} goes, packet by packet: a chunk
     * stream copies it into the heap's place in a chunk (or drops it when the heap has no place, or its chunk
     * has gone) and marks packet presence.
     */
    @FunctionalInterface
    interface PayloadSink {
        /**
         * Takes the payload of one accepted packet.
         *
         * @param packet the decoded packet (its payload is {@code packet.payloadLength()} bytes at
         *     {@code packet.payloadStart()} of {@code packet.segment()})
         * @param offset the packet's PAYLOAD_OFFSET in the heap
         * @param length its PAYLOAD_LENGTH (at least 1)
         */
        void copy(PacketDecoder packet, long offset, long length);
    }

    /**
     * Creates a live heap that holds no payload memory: each accepted packet's payload is handed to
     * {@code sink} (the heap still tracks lengths, ranges and pointers, so it completes as any other).
     *
     * @param cnt the heap's cnt
     * @param addressBits the heap address width of its packets
     * @param sink where the payload goes
     * @return the live heap
     */
    static LiveHeap intoSink(long cnt, int addressBits, PayloadSink sink) {
        return new LiveHeap(cnt, addressBits, Objects.requireNonNull(sink, "sink"));
    }

    /**
     * Makes a heap created {@link #intoSink into a sink}, once handed off, a new live heap of another cnt, so
     * that a chunk stream allocates nothing per heap. Its arrays are kept (the table of a heap with very many
     * pointers is dropped).
     *
     * @param newCnt the new heap's cnt
     * @param newAddressBits the heap address width of its packets
     * @param newSink where its payload goes
     * @throws IllegalStateException if this heap was not created into a sink
     */
    void reuseIntoSink(long newCnt, int newAddressBits, PayloadSink newSink) {
        if (sink == null) {
            throw new IllegalStateException("only a heap created into a sink can be reused");
        }
        cnt = newCnt;
        addressBits = newAddressBits;
        sink = Objects.requireNonNull(newSink, "sink");
        heapLength = -1;
        receivedLength = 0;
        minLength = 0;
        endOfStream = false;
        payload = null;
        reserved = Long.MAX_VALUE;
        pointerCount = 0;
        seenTable = null;
        seenSize = 0;
        seenZero = false;
        if (ranges != null) {
            ranges.clear();
        }
    }

    /**
     * Records where the heap's first packet came from (set by the packet step when it creates the heap).
     *
     * @param key the {@link PacketSource} key
     * @param table the reader's table of non-IPv4 sources, or null
     */
    void source(long key, PacketSource.Table table) {
        sourceKey = key;
        sourceTable = table;
    }

    /** {@return the {@link PacketSource} key of the heap's first packet} */
    long sourceKey() {
        return sourceKey;
    }

    /** {@return the table that resolves {@link #sourceKey()}, or null} */
    PacketSource.Table sourceTable() {
        return sourceTable;
    }

    /** {@return the sink of a heap created {@link #intoSink into a sink}, else null} */
    PayloadSink payloadSink() {
        return sink;
    }

    /**
     * Offers a decoded packet of this heap's cnt.
     *
     * @param p the decoded packet
     * @param allowOutOfOrder the stream's out-of-order setting
     * @param maxHeapSize the stream's heap size cap
     * @return {@link #ACCEPTED}, {@link #OVERSIZED}, or a rejection: {@link #REJECTED},
     *     {@link #REJECTED_DUPLICATE} or {@link #REJECTED_GAP}
     */
    int addPacket(PacketDecoder p, boolean allowOutOfOrder, long maxHeapSize) {
        long packetHeapLength = p.heapLength();
        if (heapLength >= 0 && packetHeapLength >= 0 && packetHeapLength != heapLength) {
            return REJECTED;
        }
        if (packetHeapLength >= 0 && packetHeapLength < minLength) {
            return REJECTED;
        }
        if (p.heapAddressBits() != addressBits) {
            return REJECTED;
        }
        long offset = p.payloadOffset();
        long length = p.payloadLength();
        long target = -1;
        boolean exact = false;
        if (packetHeapLength >= 0) {
            if (heapLength < 0) {
                target = Math.max(minLength, packetHeapLength);
                exact = true;
            }
        } else {
            target = Math.max(minLength, offset + length);
        }
        if (target > maxHeapSize) {
            return OVERSIZED;
        }
        if (target > reserved && !reserve(target, exact, maxHeapSize)) {
            return OVERSIZED;
        }
        if (allowOutOfOrder) {
            if (ranges == null) {
                ranges = new PayloadRanges();
            }
            if (!ranges.add(offset, offset + length)) {
                return REJECTED_DUPLICATE;
            }
        } else if (offset != receivedLength) {
            return offset < receivedLength ? REJECTED_DUPLICATE : REJECTED_GAP;
        }
        // accepted: modify state
        if (packetHeapLength >= 0) {
            if (heapLength < 0) {
                heapLength = packetHeapLength;
                minLength = Math.max(minLength, heapLength);
            }
        } else {
            minLength = Math.max(minLength, offset + length);
        }
        addPointers(p);
        if (length > 0) {
            if (sink != null) {
                sink.copy(p, offset, length);
            } else {
                memcpy.copy(p.segment(), p.payloadStart(), payload, offset, length);
            }
            receivedLength += length;
        }
        return ACCEPTED;
    }

    private boolean reserve(long size, boolean exact, long maxHeapSize) {
        if (allocator == null) {
            return false; // a heap whose payload goes to a sink allocates nothing
        }
        long newSize = size;
        if (!exact && size < reserved * 2) {
            long doubled = reserved > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : reserved * 2;
            newSize = Math.max(size, Math.min(doubled, maxHeapSize));
        }
        MemorySegment fresh;
        try {
            fresh = allocator.allocate(newSize);
        } catch (RuntimeException | OutOfMemoryError e) {
            return false;
        }
        if (fresh == null || fresh.byteSize() < newSize) {
            return false;
        }
        if (payload != null) {
            MemorySegment.copy(payload, 0, fresh, 0, reserved);
            allocator.free(payload);
        }
        payload = fresh;
        reserved = newSize;
        return true;
    }

    private void addPointers(PacketDecoder p) {
        int n = p.pointerCount();
        for (int i = 0; i < n; i++) {
            long pointer = p.pointer(i);
            boolean immediate = pointer < 0;
            if (!immediate) {
                minLength = Math.max(minLength, ItemPointer.value(pointer, addressBits));
            }
            long id = ItemPointer.id(pointer, addressBits);
            if (id == 0 || id > Spead.PAYLOAD_LENGTH_ID) {
                if (addIfAbsent(pointer) && id == Spead.STREAM_CTRL_ID && immediate
                        && ItemPointer.value(pointer, addressBits) == Spead.CTRL_STREAM_STOP) {
                    endOfStream = true;
                }
            }
        }
    }

    private boolean addIfAbsent(long pointer) {
        if (seenTable == null) {
            for (int i = 0; i < pointerCount; i++) {
                if (pointers[i] == pointer) {
                    return false;
                }
            }
            append(pointer);
            if (pointerCount > LINEAR_SEARCH_LIMIT) {
                seenTable = new long[64];
                for (int i = 0; i < pointerCount; i++) {
                    tableInsert(pointers[i]);
                }
            }
            return true;
        }
        if (!tableInsert(pointer)) {
            return false;
        }
        append(pointer);
        return true;
    }

    private void append(long pointer) {
        if (pointerCount == pointers.length) {
            pointers = Arrays.copyOf(pointers, pointerCount * 2);
        }
        pointers[pointerCount++] = pointer;
    }

    /** Inserts into the hash set; returns false if present. */
    private boolean tableInsert(long pointer) {
        if (pointer == 0) {
            if (seenZero) {
                return false;
            }
            seenZero = true;
            return true;
        }
        if ((seenSize + 1) * 2 > seenTable.length) {
            long[] old = seenTable;
            seenTable = new long[old.length * 2];
            seenSize = 0;
            for (long v : old) {
                if (v != 0) {
                    tableInsert(v);
                }
            }
        }
        int mask = seenTable.length - 1;
        int index = (int) ((pointer * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (true) {
            long v = seenTable[index];
            if (v == 0) {
                seenTable[index] = pointer;
                seenSize++;
                return true;
            }
            if (v == pointer) {
                return false;
            }
            index = (index + 1) & mask;
        }
    }

    /** {@return true if every byte of the stated heap length arrived (and no item points beyond it)} */
    boolean isComplete() {
        return receivedLength == heapLength && receivedLength == minLength;
    }

    /** {@return true if the payload received is contiguous up to the end of the last item} */
    boolean isContiguous() {
        return receivedLength == minLength;
    }

    /** {@return true if an immediate STREAM_CTRL = STOP pointer was stored} */
    boolean isEndOfStream() {
        return endOfStream;
    }

    long cnt() {
        return cnt;
    }

    int addressBits() {
        return addressBits;
    }

    long heapLength() {
        return heapLength;
    }

    long receivedLength() {
        return receivedLength;
    }

    long minLength() {
        return minLength;
    }

    /** {@return where the payload memory came from; null for a heap whose payload goes to a sink} */
    MemoryAllocator allocator() {
        return allocator;
    }

    /** {@return the payload memory (null if nothing was allocated)} */
    MemorySegment payload() {
        return payload;
    }

    /** {@return the stored pointers in first-seen order (a copy)} */
    long[] pointers() {
        return Arrays.copyOf(pointers, pointerCount);
    }

    /** {@return the payload ranges: the out-of-order range map, or [0, received) in in-order mode} */
    List<PayloadRange> payloadRanges() {
        if (ranges != null && ranges.size() > 0) {
            return ranges.toList();
        }
        return receivedLength > 0 ? List.of(new PayloadRange(0, receivedLength)) : List.of();
    }

    /** Hands the payload over (the caller now owns it). @return the payload or null */
    MemorySegment takePayload() {
        MemorySegment out = payload;
        payload = null;
        reserved = 0;
        return out;
    }

    /** Gives the payload memory back to the allocator, if any. */
    void release() {
        MemorySegment p = takePayload();
        if (p != null && allocator != null) {
            allocator.free(p);
        }
    }
}
