package io.spead4j.send;

import java.lang.foreign.MemorySegment;

/**
 * What a send stream's writer takes packets from, one queue entry at a time: a heap's
 * {@link PacketGenerator}, or a user's {@link RawPacketSource} (through {@link RawPackets}). Used by the
 * writer thread only.
 */
abstract class PacketProducer {
    /** {@return true while packets remain} */
    abstract boolean hasNextPacket();

    /**
     * Writes the next packet.
     *
     * @param dst where; at least the stream's maximum packet size is free from {@code offset}
     * @param offset where the packet starts
     * @return its size in bytes
     */
    abstract int nextPacket(MemorySegment dst, long offset);

    /**
     * Writes the next packet as pieces recorded in {@code batch} (gather mode).
     *
     * @param batch the batch, with room for a packet of the stream's maximum size
     * @return the packet size; {@link #gatheredSegmentBytes()} then tells how much of the segment it used
     */
    abstract int nextPacketGathered(PacketBatch batch);

    /** {@return bytes of the batch's segment the last gathered packet used} */
    abstract int gatheredSegmentBytes();
}
