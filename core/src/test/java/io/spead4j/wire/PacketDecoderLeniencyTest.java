package io.spead4j.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PacketDecoder#decode(MemorySegment, long, long, int)}: each leniency bit bends exactly one of spead2's
 * rules, and with none the decoder is spead2's.
 */
@Timeout(10)
class PacketDecoderLeniencyTest {
    private static final int A = 48;

    /** A SPEAD-64-48 packet with the given pointers and payload, followed by {@code trailing} extra bytes. */
    private static MemorySegment packet(RawPacketWriter w, int trailing) {
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) w.size() + trailing]);
        w.writeTo(seg, 0);
        return seg;
    }

    private static RawPacketWriter tpm(int payload) {
        return new RawPacketWriter(A, 4).immediate(1, 77).immediate(4, payload).address(0x3300, 0)
                .payload(MemorySegment.ofArray(new byte[payload]));
    }

    @Test
    void withoutLeniencyTheTpmLayoutIsRejectedAsBySpead2() {
        MemorySegment p = packet(tpm(64), 0);
        PacketDecoder d = new PacketDecoder();
        assertThat(d.decode(p, 0, p.byteSize())).isZero();
        assertThat(d.status()).isEqualTo(DecodeStatus.MISSING_ITEMS);
        assertThat(d.decode(p, 0, p.byteSize(), 0)).isZero();
        assertThat(d.decode(p, 0, p.byteSize(), PacketDecoder.MISSING_HEAP_LENGTH_IS_PACKET
                | PacketDecoder.PAYLOAD_LENGTH_FROM_DATAGRAM)).as("still no offset").isZero();
    }

    @Test
    void missingOffsetIsZeroAndMissingHeapLengthMakesAOnePacketHeap() {
        MemorySegment p = packet(tpm(64), 0);
        PacketDecoder d = new PacketDecoder();
        assertThat(d.decode(p, 0, p.byteSize(), PacketDecoder.MISSING_PAYLOAD_OFFSET_IS_ZERO)).isEqualTo(8 + 24 + 64);
        assertThat(d.payloadOffset()).isZero();
        assertThat(d.heapLength()).as("unsized without the heap length bit").isEqualTo(-1);
        assertThat(d.leniencyApplied()).isEqualTo(PacketDecoder.MISSING_PAYLOAD_OFFSET_IS_ZERO);
        assertThat(d.decode(p, 0, p.byteSize(), PacketDecoder.ALL_LENIENCY)).isEqualTo(8 + 24 + 64);
        assertThat(d.heapLength()).isEqualTo(64);
        assertThat(d.heapCnt()).isEqualTo(77);
        assertThat(d.leniencyApplied()).isEqualTo(PacketDecoder.MISSING_PAYLOAD_OFFSET_IS_ZERO
                | PacketDecoder.MISSING_HEAP_LENGTH_IS_PACKET);
        assertThat(d.pointerCount()).isEqualTo(1);
    }

    @Test
    void aZeroPayloadLengthTakesTheRestOfTheDatagramOnlyWithItsBit() {
        RawPacketWriter w = new RawPacketWriter(A, 4).immediate(1, 5).immediate(4, 0).immediate(0x3300, 0)
                .payload(MemorySegment.ofArray(new byte[100]));
        MemorySegment p = packet(w, 0);
        PacketDecoder d = new PacketDecoder();
        int offsetAndSize = PacketDecoder.MISSING_PAYLOAD_OFFSET_IS_ZERO | PacketDecoder.MISSING_HEAP_LENGTH_IS_PACKET;
        assertThat(d.decode(p, 0, p.byteSize(), offsetAndSize)).as("0 bytes of payload, as spead2 reads it")
                .isEqualTo(8 + 24);
        assertThat(d.decode(p, 0, p.byteSize(), offsetAndSize | PacketDecoder.PAYLOAD_LENGTH_FROM_DATAGRAM))
                .isEqualTo(p.byteSize());
        assertThat(d.payloadLength()).isEqualTo(100);
        assertThat(d.heapLength()).isEqualTo(100);
        // never past the bytes available, even if the segment holds more
        assertThat(d.decode(p, 0, p.byteSize() - 30, PacketDecoder.ALL_LENIENCY)).isEqualTo(p.byteSize() - 30);
        assertThat(d.payloadLength()).isEqualTo(70);
        // a packet that states its payload length keeps it
        MemorySegment stated = packet(tpm(64), 16);
        assertThat(d.decode(stated, 0, stated.byteSize(), PacketDecoder.ALL_LENIENCY)).isEqualTo(8 + 24 + 64);
        assertThat(d.leniencyApplied() & PacketDecoder.PAYLOAD_LENGTH_FROM_DATAGRAM).isZero();
    }

    @Test
    void aPacketThatFollowsTheRulesNeedsNoLeniency() {
        RawPacketWriter w = new RawPacketWriter(A, 5).immediate(1, 5).immediate(2, 64).immediate(3, 0)
                .immediate(4, 64).address(0x1000, 0).payload(MemorySegment.ofArray(new byte[64]));
        MemorySegment p = packet(w, 0);
        PacketDecoder d = new PacketDecoder();
        assertThat(d.decode(p, 0, p.byteSize(), PacketDecoder.ALL_LENIENCY)).isEqualTo(p.byteSize());
        assertThat(d.leniencyApplied()).isZero();
        assertThatThrownBy(() -> d.decode(p, 0, p.byteSize(), 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
