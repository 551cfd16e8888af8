package io.spead4j.wire;

import io.spead4j.Spead;
import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.Conformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The decoder against spead2's rules (SPEAD2-BEHAVIOUR.md §1) and its vectors. */
class PacketDecoderTest {
    private final PacketDecoder decoder = new PacketDecoder();

    private static MemorySegment seg(String hex) {
        return MemorySegment.ofArray(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    /** A 64-40 packet with the four specials and one addressed item, payload "abc". */
    private static final String GOOD = "5304 0305 0000 0005"
            + "8000 0100 0000 0007" // HEAP_CNT = 7
            + "8000 0200 0000 0003" // HEAP_LENGTH = 3
            + "8000 0300 0000 0000" // PAYLOAD_OFFSET = 0
            + "8000 0400 0000 0003" // PAYLOAD_LENGTH = 3
            + "0010 0100 0000 0000" // item 0x1001 at 0
            + "616263";

    @Test
    void decodesTheDigestExamples() {
        assertThat(ItemPointer.immediate(Spead.HEAP_CNT_ID, 1, 40)).isEqualTo(0x8000010000000001L);
        assertThat(ItemPointer.address(0x1001, 275, 40)).isEqualTo(0x0010010000000113L);
        assertThat(ItemPointer.immediate(0x1000, 1234567, 40)).isEqualTo(0x80100000_0012d687L);
        long size = decoder.decode(seg(GOOD), 0, 8 + 40 + 3);
        assertThat(size).isEqualTo(51);
        assertThat(decoder.status()).isEqualTo(DecodeStatus.OK);
        assertThat(decoder.heapCnt()).isEqualTo(7);
        assertThat(decoder.heapLength()).isEqualTo(3);
        assertThat(decoder.payloadOffset()).isZero();
        assertThat(decoder.payloadLength()).isEqualTo(3);
        assertThat(decoder.heapAddressBits()).isEqualTo(40);
        assertThat(decoder.pointerCount()).isEqualTo(1);
        assertThat(ItemPointer.id(decoder.pointer(0), 40)).isEqualTo(0x1001);
        assertThat(decoder.payload().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsExactly('a', 'b', 'c');
    }

    @Test
    void returnsTheDecodedSizeWhenMoreDataFollows() {
        MemorySegment s = seg(GOOD + "ffffff");
        assertThat(decoder.decode(s, 0, s.byteSize())).isEqualTo(51);
    }

    @Test
    void rejectsInSpead2sOrder() {
        assertThat(decoder.decode(seg("5304 0305 0000"), 0, 6)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.TOO_SHORT);
        assertThat(decoder.decode(seg(GOOD.replaceFirst("5304", "5305")), 0, 51)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.BAD_MAGIC);
        assertThat(decoder.decode(seg(GOOD.replaceFirst("0305", "0005")), 0, 51)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.BAD_FLAVOUR);
        assertThat(decoder.decode(seg(GOOD.replaceFirst("0305", "0405")), 0, 51)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.BAD_FLAVOUR);
        assertThat(decoder.decode(seg(GOOD.replaceFirst("0000 0005", "0000 0009")), 0, 51)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.POINTERS_OVERFLOW);
        // PAYLOAD_OFFSET turned into an ordinary (address-mode) pointer: required item missing
        assertThat(decoder.decode(seg(GOOD.replace("8000 0300 0000 0000", "0000 0300 0000 0000")), 0, 51)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.MISSING_ITEMS);
        assertThat(decoder.decode(seg(GOOD), 0, 50)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.PAYLOAD_OVERFLOW);
        assertThat(decoder.decode(seg(GOOD.replace("8000 0200 0000 0003", "8000 0200 0000 0002")), 0, 51)).isZero();
        assertThat(decoder.status()).isEqualTo(DecodeStatus.PAYLOAD_BEYOND_HEAP);
    }

    @Test
    void heapLengthIsOptionalAndLaterSpecialsOverride() {
        String unsized = "5304 0305 0000 0004" + "8000 0100 0000 0007" + "8000 0300 0000 0010"
                + "8000 0400 0000 0001" + "8000 0400 0000 0002" + "abcd";
        assertThat(decoder.decode(seg(unsized), 0, 42)).isEqualTo(42);
        assertThat(decoder.heapLength()).isEqualTo(-1);
        assertThat(decoder.payloadLength()).isEqualTo(2);
        assertThat(decoder.payloadOffset()).isEqualTo(16);
        // get_packet_size uses the FIRST payload length: 8 + 32 + 1
        assertThat(PacketDecoder.packetSize(seg(unsized), 0, 42)).isEqualTo(41);
    }

    @Test
    void pointerListStartsAtTheFirstNonSpecialPointer() {
        String p = "5304 0305 0000 0006" + "8000 0100 0000 0001" + "0000 0200 0000 0000" // address-mode id 2: ordinary
                + "8000 0300 0000 0000" + "8000 0400 0000 0000" + "8000 0600 0000 0002" + "8000 0200 0000 0000";
        assertThat(decoder.decode(seg(p), 0, 56)).isEqualTo(56);
        assertThat(decoder.pointerCount()).isEqualTo(5);
        assertThat(ItemPointer.id(decoder.pointer(0), 40)).isEqualTo(2);
        assertThat(ItemPointer.isImmediate(decoder.pointer(0))).isFalse();
        assertThat(decoder.heapLength()).isZero(); // the late immediate HEAP_LENGTH still counts
    }

    @Test
    void packetSizeNeedsMoreOrFails() {
        assertThat(PacketDecoder.packetSize(seg(GOOD), 0, 7)).isZero();
        assertThat(PacketDecoder.packetSize(seg(GOOD), 0, 20)).isZero();
        assertThat(PacketDecoder.packetSize(seg(GOOD), 0, 51)).isEqualTo(51);
        assertThat(PacketDecoder.packetSize(seg(GOOD.replaceFirst("5304", "5404")), 0, 51)).isEqualTo(-1);
        assertThat(PacketDecoder.packetSize(seg(GOOD.replace("8000 0400 0000 0003", "0000 0400 0000 0003")), 0, 51))
                .isEqualTo(-1);
    }

    static List<String> cases() {
        return Conformance.names();
    }

    /**
     * Every packet of every vector decodes, back to back, with the case's address width: to the file's end, or,
     * where garbage sits between packets, up to the first packet that cannot be parsed, where a buffer reader
     * stops too; spead2's buffer-reader decode counted no more packets than the walk met.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void walksEveryConformanceFile(String name) {
        byte[] data = Conformance.bytes(name, "spead");
        JsonNode json = Conformance.json(name);
        int bits = (int) Conformance.longValue(json.get("flavour").get("heap_address_bits"));
        long expectedPackets = Conformance.longValue(json.get("stats").get("packets"));
        MemorySegment s = MemorySegment.ofArray(data);
        long offset = 0;
        long packets = 0;
        while (offset < data.length) {
            long size = decoder.decode(s, offset, data.length - offset);
            if (size == 0) {
                break;
            }
            assertThat(decoder.heapAddressBits()).isEqualTo(bits);
            offset += size;
            packets++;
        }
        if (offset < data.length) {
            assertThat(decoder.status()).as("why the walk stopped at %d", offset).isNotEqualTo(DecodeStatus.OK);
            assertThat(Conformance.speadDecodesToTheEnd(name)).isFalse();
        } else {
            assertThat(Conformance.speadDecodesToTheEnd(name)).isTrue();
        }
        assertThat(packets).isGreaterThanOrEqualTo(expectedPackets);
    }
}
