package io.spead4j.send;

import io.spead4j.Flavour;
import io.spead4j.Spead;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Packet generation rules of SPEAD2-BEHAVIOUR §5.1–5.3. */
class PacketGeneratorTest {
    private static final int A = 40;

    /** Decoded view of one generated packet. */
    private record Packet(long cnt, long heapLength, long offset, long length, long[] pointers, byte[] payload,
                          int size) {
    }

    private static Packet decode(byte[] bytes) {
        PacketDecoder d = new PacketDecoder();
        MemorySegment seg = MemorySegment.ofArray(bytes);
        assertThat(d.decode(seg, 0, bytes.length)).isEqualTo(bytes.length);
        // the four specials come first, in this order
        assertThat(ItemPointer.id(d.rawPointer(0), A)).isEqualTo(Spead.HEAP_CNT_ID);
        assertThat(ItemPointer.id(d.rawPointer(1), A)).isEqualTo(Spead.HEAP_LENGTH_ID);
        assertThat(ItemPointer.id(d.rawPointer(2), A)).isEqualTo(Spead.PAYLOAD_OFFSET_ID);
        assertThat(ItemPointer.id(d.rawPointer(3), A)).isEqualTo(Spead.PAYLOAD_LENGTH_ID);
        long[] pointers = new long[d.numItems() - 4];
        for (int i = 0; i < pointers.length; i++) {
            pointers[i] = d.rawPointer(i + 4);
        }
        byte[] payload = Arrays.copyOfRange(bytes, (int) d.payloadStart(), bytes.length);
        return new Packet(d.heapCnt(), d.heapLength(), d.payloadOffset(), d.payloadLength(), pointers, payload,
                bytes.length);
    }

    private static List<Packet> generate(Heap heap, long cnt, int p) {
        return new PacketGenerator(heap, cnt, p).packets().stream().map(PacketGeneratorTest::decode).toList();
    }

    private static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    void workedExampleOfTheDigest() {
        byte[] data = ramp(4000);
        Heap heap = new Heap().addItem(0x1000, data, true).addItem(0x1001, 1234567);
        List<Packet> packets = generate(heap, 9, 1472);
        assertThat(packets).extracting(Packet::size).containsExactly(1472, 1472, 1192);
        assertThat(packets).extracting(p -> p.pointers().length + 4).containsExactly(6, 4, 4);
        assertThat(packets).extracting(Packet::length).containsExactly(1416L, 1432L, 1152L);
        assertThat(packets).extracting(Packet::offset).containsExactly(0L, 1416L, 2848L);
        assertThat(packets).allSatisfy(p -> {
            assertThat(p.cnt()).isEqualTo(9);
            assertThat(p.heapLength()).isEqualTo(4000);
        });
        long[] first = packets.getFirst().pointers();
        assertThat(first[0]).isEqualTo(ItemPointer.address(0x1000, 0, A));
        assertThat(first[1]).isEqualTo(ItemPointer.immediate(0x1001, 1234567, A));
        byte[] joined = new byte[4000];
        for (Packet p : packets) {
            System.arraycopy(p.payload(), 0, joined, (int) p.offset(), p.payload().length);
        }
        assertThat(joined).isEqualTo(data);
    }

    @Test
    void endHeapIsOne57BytePacket() {
        List<byte[]> packets = new PacketGenerator(new Heap().addEnd(), 3, 1472).packets();
        assertThat(packets).hasSize(1);
        assertThat(HexFormat.of().formatHex(packets.getFirst())).isEqualTo("5304030500000006"
                + "8000010000000003" + "8000020000000001" + "8000030000000000" + "8000040000000001"
                + "8000060000000002" + "0000000000000000" + "00");
    }

    @Test
    void emptyHeapGetsNullPointerAndOneBytePadding() {
        List<Packet> packets = generate(new Heap(), 1, 1472);
        assertThat(packets).hasSize(1);
        Packet p = packets.getFirst();
        assertThat(p.size()).isEqualTo(49);
        assertThat(p.heapLength()).isEqualTo(1);
        assertThat(p.pointers()).containsExactly(0L);
        assertThat(p.payload()).containsExactly(0);
    }

    @Test
    void startHeapIsImmediateZero() {
        Packet p = generate(new Heap().addStart(), 1, 1472).getFirst();
        assertThat(p.pointers()).containsExactly(ItemPointer.immediate(Spead.STREAM_CTRL_ID, 0, A),
                ItemPointer.address(Spead.NULL_ID, 0, A));
    }

    @Test
    void manyItemsSpreadPointersOverPacketsWithEightBytesOfPaddingEach() {
        // P = 128: K = (128 - 48) / 8 = 10 pointers per packet; 25 immediates, no addressed bytes
        Heap heap = new Heap();
        for (int i = 0; i < 25; i++) {
            heap.addItem(0x1000 + i, i);
        }
        List<Packet> packets = generate(heap, 1, 128);
        assertThat(packets).extracting(Packet::size).containsExactly(128, 128, 89);
        assertThat(packets).extracting(p -> p.pointers().length).containsExactly(10, 10, 6);
        assertThat(packets).extracting(Packet::length).containsExactly(8L, 8L, 1L);
        assertThat(packets.getFirst().heapLength()).isEqualTo(17);
        assertThat(packets.getLast().pointers()[5]).isEqualTo(ItemPointer.address(Spead.NULL_ID, 0, A));
        for (Packet p : packets) {
            assertThat(p.payload()).containsOnly(0);
        }
        assertThat(packets.get(1).pointers()[0]).isEqualTo(ItemPointer.immediate(0x100a, 10, A));
    }

    @Test
    void paddingGoesBeforeTheRealBytesOfItsPacketAsInSpead2() {
        // K = 10; 10 immediates + one 4-byte addressed item: 11 items need 2 packets, so 9 payload bytes
        Heap heap = new Heap();
        for (int i = 0; i < 10; i++) {
            heap.addItem(0x1000 + i, i);
        }
        heap.addItem(0x2000, new byte[] {1, 2, 3, 4}, false);
        List<Packet> packets = generate(heap, 1, 128);
        assertThat(packets).hasSize(2);
        assertThat(packets.getFirst().heapLength()).isEqualTo(9);
        assertThat(packets.getFirst().payload()).containsExactly(0, 0, 0, 0, 1, 2, 3, 4);
        assertThat(packets.get(1).pointers()).containsExactly(ItemPointer.address(0x2000, 0, A),
                ItemPointer.address(Spead.NULL_ID, 4, A));
        assertThat(packets.get(1).payload()).containsExactly(0);
    }

    @Test
    void repeatPointersPutsEveryPointerInEveryPacket() {
        Heap heap = new Heap().repeatPointers(true).addItem(0x1000, ramp(300), false).addItem(0x1001, 5)
                .addItem(0x1002, ramp(10), false);
        List<Packet> packets = generate(heap, 1, 128);
        // 3 pointers: payload per packet = 128 - 40 - 24 = 64; 310 bytes -> 5 packets
        assertThat(packets).extracting(Packet::length).containsExactly(64L, 64L, 64L, 64L, 54L);
        for (Packet p : packets) {
            assertThat(p.pointers()).containsExactly(ItemPointer.address(0x1000, 0, A),
                    ItemPointer.immediate(0x1001, 5, A), ItemPointer.address(0x1002, 300, A));
        }
    }

    @Test
    void repeatPointersWithTooManyItemsIsRefused() {
        Heap heap = new Heap().repeatPointers(true);
        for (int i = 0; i < 9; i++) {
            heap.addItem(0x1000 + i, i);
        }
        assertThat(generate(heap, 1, 128)).hasSize(1);
        heap.addItem(0x2000, 1);
        assertThatIllegalArgumentException().isThrownBy(() -> new PacketGenerator(heap, 1, 128))
                .withMessageContaining("too small to repeat");
    }

    @Test
    void packetSizeBelow56IsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PacketGenerator(new Heap(), 1, 55))
                .withMessageContaining("packet size is too small");
        assertThatIllegalArgumentException().isThrownBy(() -> new PacketGenerator(new Heap(), 1, 0))
                .withMessageContaining("packet size is too small");
        // 63 rounds down to 56, the smallest usable size: K = 1; the first packet carries the pointer and
        // 8 bytes, the second no pointer and the other 12
        List<Packet> packets = generate(new Heap().addItem(0x1000, ramp(20), false), 1, 63);
        assertThat(packets).extracting(Packet::size).containsExactly(56, 52);
        assertThat(packets).extracting(Packet::length).containsExactly(8L, 12L);
    }

    @Test
    void sizeIsRoundedDownToAMultipleOfEight() {
        PacketGenerator gen = new PacketGenerator(new Heap().addItem(0x1000, ramp(5000), false), 1, 1500);
        assertThat(gen.maxPacketSize()).isEqualTo(1496);
        assertThat(gen.packets()).allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(1496))
                .first().satisfies(p -> assertThat(p.length).isEqualTo(1496));
    }

    @Test
    void immediatesAreRightAlignedAndZeroLengthBecomesZero() {
        Heap heap = new Heap().addItem(0x1000, new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef}, true)
                .addItem(0x1001, new byte[0], true)
                .addItem(0x1002, new byte[] {1, 2, 3, 4, 5}, true)
                .addItem(0x1003, new byte[] {1, 2, 3, 4, 5, 6}, true)
                .addItem(0x1004, new byte[] {9}, false);
        Packet p = generate(heap, 1, 1472).getFirst();
        assertThat(p.pointers()).containsExactly(ItemPointer.immediate(0x1000, 0xabcdefL, A),
                ItemPointer.immediate(0x1001, 0, A), ItemPointer.immediate(0x1002, 0x0102030405L, A),
                ItemPointer.address(0x1003, 0, A), ItemPointer.address(0x1004, 6, A));
        assertThat(p.payload()).containsExactly(1, 2, 3, 4, 5, 6, 9);
    }

    @Test
    void valuesAreReferencedNotCopied() {
        byte[] data = ramp(16);
        Heap heap = new Heap().addItem(0x1000, data, false);
        data[0] = 42;
        assertThat(generate(heap, 1, 1472).getFirst().payload()[0]).isEqualTo((byte) 42);
    }

    @Test
    void otherFlavoursUseTheirAddressWidth() {
        Flavour f48 = Flavour.of(48);
        byte[] packet = new PacketGenerator(new Heap(f48).addItem(0x1000, 0xabcdef012345L), 7, 1472).packets()
                .getFirst();
        assertThat(HexFormat.of().formatHex(packet, 0, 16)).isEqualTo("5304020600000006" + "8001000000000007");
        assertThat(HexFormat.of().formatHex(packet, 40, 48)).isEqualTo("9000abcdef012345");
    }

    @Test
    void generatesIntoACallerBufferAndStops() {
        PacketGenerator gen = new PacketGenerator(new Heap().addItem(0x1000, ramp(100), false), 1, 96);
        byte[] buffer = new byte[200];
        MemorySegment seg = MemorySegment.ofArray(buffer);
        int total = 0;
        while (gen.hasNextPacket()) {
            total += gen.nextPacket(seg, 10);
        }
        // packet 1: 48 bytes of header and pointers + 48 of payload; packet 2: 40 + the other 52
        assertThat(total).isEqualTo(48 + 48 + 40 + 52);
        assertThatIllegalStateException().isThrownBy(() -> gen.nextPacket(seg, 0));
    }

    @Test
    void cntMustFitTheFlavour() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PacketGenerator(new Heap(), 1L << 40, 1472));
        assertThatIllegalArgumentException().isThrownBy(() -> new PacketGenerator(new Heap(), -1, 1472));
        assertThat(new PacketGenerator(new Heap(), (1L << 40) - 1, 1472).packets()).hasSize(1);
    }
}
