package io.spead4j.send;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A batch of packets a send stream hands to its transport ({@link Stream#writePackets(PacketBatch)}).
 *
 * <p>The packets lie back to back in one block of native memory, {@link #segment()} (also viewable as the
 * direct buffer {@link #buffer()}), packet {@code i} at {@link #offset(int)} with {@link #length(int)}
 * bytes, to go to substream {@link #substreamIndex(int)}; together they fill {@code [0, bytes())}. The
 * transport reports a packet it could not deliver with {@link #fail(int, IOException)}; every packet not
 * failed counts as sent. A stream reuses one batch and the same memory for all its batches, so a
 * transport may keep views of it, but must copy any bytes it needs after {@code writePackets} returns.
 */
public final class PacketBatch {
    private final MemorySegment segment;
    private final ByteBuffer buffer;
    private final int capacityPackets;
    private final int[] offsets;
    private final int[] lengths;
    private final int[] substreams;
    private final long[] groups;
    private final boolean[] last;
    private final IOException[] errors;
    private int count;
    private int used;
    /** Whether packets are recorded as pieces of memory (see {@link #setGather}) rather than copied whole. */
    private boolean gather;
    private final long[] pieceAddress;
    private final int[] pieceLength;
    private final int[] firstPiece;
    private final int[] pieceCount;
    private int piecesUsed;
    private int packetFirstPiece;

    PacketBatch(int capacityBytes, int capacityPackets) {
        this.segment = Arena.ofAuto().allocate(capacityBytes, 8);
        this.buffer = segment.asByteBuffer();
        this.capacityPackets = capacityPackets;
        this.offsets = new int[capacityPackets];
        this.lengths = new int[capacityPackets];
        this.substreams = new int[capacityPackets];
        this.groups = new long[capacityPackets];
        this.last = new boolean[capacityPackets];
        this.errors = new IOException[capacityPackets];
        this.pieceAddress = new long[capacityPackets * MAX_PIECES];
        this.pieceLength = new int[capacityPackets * MAX_PIECES];
        this.firstPiece = new int[capacityPackets];
        this.pieceCount = new int[capacityPackets];
    }

    /** Most pieces of memory one packet is gathered from (so one GSO message of 64 stays within 1024 iovecs). */
    static final int MAX_PIECES = 16;

    /**
     * Chooses how packets are recorded from now on: whole in {@link #segment()} (the default, what every
     * transport can send), or gathered: the header, item pointers and small payload runs in the segment and
     * large payload runs referenced where they lie in the heap's own memory, for a transport that sends
     * scatter-gather lists (the native UDP socket) and so need not copy the payload. Only between batches.
     *
     * @param on whether to gather
     */
    void setGather(boolean on) {
        this.gather = on;
    }

    /** {@return whether packets are gathered from pieces (see {@link #setGather})} */
    boolean gathers() {
        return gather;
    }

    /** Starts recording the pieces of the packet about to be generated. */
    void beginPieces() {
        packetFirstPiece = piecesUsed;
    }

    /** {@return pieces recorded so far for the packet being generated} */
    int packetPieces() {
        return piecesUsed - packetFirstPiece;
    }

    /**
     * Appends a piece to the packet being generated, extending the previous piece when it continues it.
     *
     * @param address native address of the bytes
     * @param length their number
     */
    void piece(long address, int length) {
        int last = piecesUsed - 1;
        if (last >= packetFirstPiece && pieceAddress[last] + pieceLength[last] == address) {
            pieceLength[last] += length;
            return;
        }
        pieceAddress[piecesUsed] = address;
        pieceLength[piecesUsed] = length;
        piecesUsed++;
    }

    /** @return pieces of gathered packet {@code i} @param i packet index */
    int pieces(int i) {
        return pieceCount[i];
    }

    /** @return index of the first piece of gathered packet {@code i} in {@link #pieceAddresses()} @param i packet */
    int firstPiece(int i) {
        return firstPiece[i];
    }

    /** {@return the native addresses of all pieces (read with {@link #firstPiece} and {@link #pieces})} */
    long[] pieceAddresses() {
        return pieceAddress;
    }

    /** {@return the lengths of all pieces, parallel to {@link #pieceAddresses()}} */
    int[] pieceLengths() {
        return pieceLength;
    }

    /** {@return the number of packets in the batch} */
    public int size() {
        return count;
    }

    /** {@return the memory holding the packets back to back from offset 0 (the same for every batch)} */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * A direct buffer over {@link #segment()}, the same object for every batch: its position and limit are
     * the transport's to set.
     *
     * @return the buffer
     */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** {@return the number of bytes used by all the packets (they occupy {@code [0, bytes())})} */
    public int bytes() {
        return used;
    }

    /**
     * {@return the offset of packet {@code i} in {@link #segment()}}
     *
     * @param i packet index, 0 .. {@link #size()} - 1
     * @throws IndexOutOfBoundsException if there is no packet {@code i}
     */
    public int offset(int i) {
        Objects.checkIndex(i, count);
        return offsets[i];
    }

    /**
     * {@return the size of packet {@code i} in bytes}
     *
     * @param i packet index, 0 .. {@link #size()} - 1
     * @throws IndexOutOfBoundsException if there is no packet {@code i}
     */
    public int length(int i) {
        Objects.checkIndex(i, count);
        return lengths[i];
    }

    /**
     * {@return the index of the substream packet {@code i} goes to}
     *
     * @param i packet index, 0 .. {@link #size()} - 1
     * @throws IndexOutOfBoundsException if there is no packet {@code i}
     */
    public int substreamIndex(int i) {
        Objects.checkIndex(i, count);
        return substreams[i];
    }

    /**
     * Reports that packet {@code i} was not delivered. Its heap (group) completes with this error unless an
     * earlier packet already set one; the packet's bytes are not counted.
     *
     * @param i packet index
     * @param error why
     */
    public void fail(int i, IOException error) {
        Objects.checkIndex(i, count);
        errors[i] = Objects.requireNonNull(error, "error");
        anyFailed = true;
    }

    /** Whether a packet of this batch was reported failed (so that a sound batch is accounted without a look at each). */
    private boolean anyFailed;

    /** {@return whether any packet of the batch was reported failed} */
    boolean anyFailed() {
        return anyFailed;
    }

    /**
     * {@return whether packet {@code i} was reported failed}
     *
     * @param i packet index, 0 .. {@link #size()} - 1
     * @throws IndexOutOfBoundsException if there is no packet {@code i}
     */
    public boolean failed(int i) {
        Objects.checkIndex(i, count);
        return errors[i] != null;
    }

    IOException error(int i) {
        return errors[i];
    }

    long group(int i) {
        return groups[i];
    }

    boolean last(int i) {
        return last[i];
    }

    /** {@return whether a packet of {@code maxPacketSize} bytes still fits} */
    boolean hasRoom(int maxPacketSize) {
        return count < capacityPackets && segment.byteSize() - used >= maxPacketSize;
    }

    int nextOffset() {
        return used;
    }

    /**
     * Adds the packet just generated from the pieces recorded since {@link #beginPieces()}.
     *
     * @param length the packet's size in bytes
     * @param segmentBytes how many bytes of {@link #segment()} it used, from {@link #nextOffset()}
     * @param substream its substream
     * @param group its group
     */
    void addGathered(int length, int segmentBytes, int substream, long group) {
        firstPiece[count] = packetFirstPiece;
        pieceCount[count] = piecesUsed - packetFirstPiece;
        record(length, substream, group);
        used += segmentBytes - length;
    }

    void add(int length, int substream, long group) {
        pieceCount[count] = 0;
        record(length, substream, group);
    }

    private void record(int length, int substream, long group) {
        offsets[count] = used;
        lengths[count] = length;
        substreams[count] = substream;
        groups[count] = group; // last[count] and errors[count] are false and null since clear()
        used += length;
        count++;
    }

    void markLast() {
        last[count - 1] = true;
    }

    void clear() {
        if (anyFailed) {
            Arrays.fill(errors, 0, count, null);
            anyFailed = false;
        }
        Arrays.fill(last, 0, count, false);
        count = 0;
        used = 0;
        piecesUsed = 0;
    }
}
