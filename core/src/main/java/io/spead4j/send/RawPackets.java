package io.spead4j.send;

import io.spead4j.wire.PacketHeader;

import java.lang.foreign.MemorySegment;

/** The writer's view of a user's {@link RawPacketSource}: checks each packet's size. */
final class RawPackets extends PacketProducer {
    private final RawPacketSource source;
    private final int maxPacketSize;
    private int gathered;

    RawPackets(RawPacketSource source, int maxPacketSize) {
        this.source = source;
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    boolean hasNextPacket() {
        return source.hasNextPacket();
    }

    @Override
    int nextPacket(MemorySegment dst, long offset) {
        int size = source.nextPacket(dst, offset, maxPacketSize);
        if (size < PacketHeader.SIZE || size > maxPacketSize) {
            throw new IllegalStateException("a raw packet source wrote a packet of " + size
                    + " bytes (must be " + PacketHeader.SIZE + " to " + maxPacketSize + ")");
        }
        return size;
    }

    @Override
    int nextPacketGathered(PacketBatch batch) {
        MemorySegment dst = batch.segment();
        long offset = batch.nextOffset();
        int size = nextPacket(dst, offset);
        batch.beginPieces();
        batch.piece(dst.address() + offset, size);
        gathered = size;
        return size;
    }

    @Override
    int gatheredSegmentBytes() {
        return gathered;
    }
}
