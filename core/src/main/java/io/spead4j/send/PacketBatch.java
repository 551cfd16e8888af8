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
    }

    /** @return the number of packets in the batch */
    public int size() {
        return count;
    }

    /** @return the memory holding the packets back to back from offset 0 (the same for every batch) */
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

    /** @return the number of bytes used by all the packets (they occupy {@code [0, bytes())}) */
    public int bytes() {
        return used;
    }

    /** @return offset of packet {@code i} in {@link #segment()} @param i packet index */
    public int offset(int i) {
        Objects.checkIndex(i, count);
        return offsets[i];
    }

    /** @return size of packet {@code i} in bytes @param i packet index */
    public int length(int i) {
        Objects.checkIndex(i, count);
        return lengths[i];
    }

    /** @return the substream packet {@code i} goes to @param i packet index */
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
    }

    /** @return whether packet {@code i} was reported failed @param i packet index */
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

    /** @return whether a packet of {@code maxPacketSize} bytes still fits */
    boolean hasRoom(int maxPacketSize) {
        return count < capacityPackets && segment.byteSize() - used >= maxPacketSize;
    }

    int nextOffset() {
        return used;
    }

    void add(int length, int substream, long group) {
        offsets[count] = used;
        lengths[count] = length;
        substreams[count] = substream;
        groups[count] = group;
        last[count] = false;
        errors[count] = null;
        used += length;
        count++;
    }

    void markLast() {
        last[count - 1] = true;
    }

    void clear() {
        Arrays.fill(errors, 0, count, null);
        count = 0;
        used = 0;
    }
}
