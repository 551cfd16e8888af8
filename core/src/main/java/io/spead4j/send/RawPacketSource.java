package io.spead4j.send;

import io.spead4j.wire.RawPacketWriter;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Packets written by the user, sent as they are by any send stream ({@link Stream#sendPackets}): for
 * simulators of hardware whose packets spead2's packetiser cannot produce (SKA-Low's tile processing modules
 * and station beamformers send no heap size and no payload offset, and SPS v1 a payload length of 0). The
 * stream's writer asks for each packet in turn and has it written straight into its batch memory, typically
 * with a reused {@link RawPacketWriter}, so nothing is allocated per packet; the stream's rate limit, substream
 * and completion apply to the packets as to a heap's. Called on the stream's writer thread.
 */
public interface RawPacketSource {
    /** {@return true while packets remain} */
    boolean hasNextPacket();

    /**
     * Writes the next packet.
     *
     * @param dst where to write
     * @param offset where the packet starts in {@code dst}
     * @param maxSize the most bytes the packet may have (the stream's {@link StreamConfig#maxPacketSize()})
     * @return the packet's size, 8 to {@code maxSize}
     */
    int nextPacket(MemorySegment dst, long offset, int maxSize);

    /**
     * A source of one packet, as a writer describes it when the packet is sent (a convenience that allocates
     * the source; reuse one source object of your own to send without allocation).
     *
     * @param packet the packet; must not change until the send completes
     * @return the source
     */
    static RawPacketSource of(RawPacketWriter packet) {
        Objects.requireNonNull(packet, "packet");
        return new RawPacketSource() {
            private boolean sent;

            @Override
            public boolean hasNextPacket() {
                return !sent;
            }

            @Override
            public int nextPacket(MemorySegment dst, long offset, int maxSize) {
                sent = true;
                if (packet.size() > maxSize) {
                    throw new IllegalArgumentException("packet of " + packet.size() + " bytes exceeds maxSize " + maxSize);
                }
                return (int) packet.writeTo(dst, offset);
            }
        };
    }
}
