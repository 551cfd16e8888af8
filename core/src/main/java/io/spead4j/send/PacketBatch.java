package io.spead4j.send;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A batch of packets a send stream hands to its transport ({@link Stream#writePackets(PacketBatch)}).
 *
 * <p>The packets lie back to back in one reusable byte array, {@link #array()} (also as {@link #segment()}),
 * packet {@code i} at {@link #offset(int)} with {@link #length(int)} bytes, to go to substream
 * {@link #substreamIndex(int)}. The transport reports a packet it could not deliver with
 * {@link #fail(int, IOException)}; every packet not failed counts as sent. The batch and its memory are
 * reused for the next batch as soon as {@code writePackets} returns, so a transport must copy what it keeps.
 */
public final class PacketBatch {
    private final byte[] array;
    private final MemorySegment segment;
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
        this.array = new byte[capacityBytes];
        this.segment = MemorySegment.ofArray(array);
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

    /** @return the array holding the packets back to back from index 0 */
    public byte[] array() {
        return array;
    }

    /** @return {@link #array()} as a memory segment */
    public MemorySegment segment() {
        return segment;
    }

    /** @return the number of bytes used by all the packets (they occupy {@code array()[0 .. bytes)}) */
    public int bytes() {
        return used;
    }

    /** @return offset of packet {@code i} in {@link #array()} @param i packet index */
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
        return count < capacityPackets && array.length - used >= maxPacketSize;
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
