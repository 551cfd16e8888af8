package io.spead4j.wire;

import io.spead4j.Spead;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Property tests of the wire codec across every flavour spead2 accepts (SPEAD-64-8 to SPEAD-64-56). */
class PacketCodecPropertiesTest {

    /** A packet description: flavour, the four specials, extra pointers and a payload. */
    record Spec(int bits, long cnt, long heapLength, long offset, int payloadLength, long[] extra) {
    }

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<Integer> bits = Arbitraries.integers().between(1, 7).map(b -> b * 8);
        return bits.flatMap(a -> {
            long mask = ItemPointer.mask(a);
            Arbitrary<Long> values = Arbitraries.longs().between(0, mask);
            Arbitrary<Integer> length = Arbitraries.integers().between(0, (int) Math.min(mask, 300));
            Arbitrary<long[]> extra = Arbitraries.longs().between(0, Long.MAX_VALUE).array(long[].class).ofMaxSize(20)
                    .map(ps -> {
                        // keep extra pointers clear of the special immediates so the decoded specials are ours
                        for (int i = 0; i < ps.length; i++) {
                            long id = ItemPointer.id(ps[i], a);
                            if (id >= Spead.HEAP_CNT_ID && id <= Spead.PAYLOAD_LENGTH_ID) {
                                ps[i] &= ~ItemPointer.IMMEDIATE_BIT;
                            }
                            if (i % 2 == 1) {
                                ps[i] |= ItemPointer.IMMEDIATE_BIT;
                                if (ItemPointer.id(ps[i], a) <= Spead.PAYLOAD_LENGTH_ID) {
                                    ps[i] = ItemPointer.immediate(Spead.STREAM_CTRL_ID, ItemPointer.value(ps[i], a), a);
                                }
                            }
                        }
                        return ps;
                    });
            return Combinators.combine(values, length, values, extra, Arbitraries.of(true, false))
                    .as((cnt, len, off, ex, sized) -> {
                        long offset = Math.min(off, mask - len);
                        long heapLength = sized ? offset + len : -1;
                        return new Spec(a, cnt, heapLength, offset, len, ex);
                    });
        });
    }

    static byte[] encode(Spec s) {
        int n = 3 + (s.heapLength >= 0 ? 1 : 0) + s.extra.length;
        byte[] out = new byte[(int) PacketWriter.packetSize(n, s.payloadLength)];
        MemorySegment seg = MemorySegment.ofArray(out);
        long pos = PacketWriter.writeHeader(seg, 0, s.bits, n);
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.HEAP_CNT_ID, s.cnt, s.bits));
        if (s.heapLength >= 0) {
            pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.HEAP_LENGTH_ID, s.heapLength, s.bits));
        }
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.PAYLOAD_OFFSET_ID, s.offset, s.bits));
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.PAYLOAD_LENGTH_ID, s.payloadLength, s.bits));
        for (long p : s.extra) {
            pos = PacketWriter.writePointer(seg, pos, p);
        }
        for (int i = 0; i < s.payloadLength; i++) {
            out[(int) pos + i] = (byte) (i * 31 + 7);
        }
        return out;
    }

    @Property(tries = 2000)
    void encodeThenDecodeRoundTrips(@ForAll("specs") Spec s) {
        byte[] bytes = encode(s);
        PacketDecoder d = new PacketDecoder();
        MemorySegment seg = MemorySegment.ofArray(bytes);
        assertThat(d.decode(seg, 0, bytes.length)).isEqualTo(bytes.length);
        assertThat(d.heapAddressBits()).isEqualTo(s.bits);
        assertThat(d.heapCnt()).isEqualTo(s.cnt);
        assertThat(d.heapLength()).isEqualTo(s.heapLength);
        assertThat(d.payloadOffset()).isEqualTo(s.offset);
        assertThat(d.payloadLength()).isEqualTo(s.payloadLength);
        assertThat(d.pointerCount()).isEqualTo(s.extra.length);
        for (int i = 0; i < s.extra.length; i++) {
            assertThat(d.pointer(i)).isEqualTo(s.extra[i]);
        }
        assertThat(PacketDecoder.packetSize(seg, 0, bytes.length)).isEqualTo(bytes.length);
        assertThat(d.payload().toArray(ValueLayout.JAVA_BYTE))
                .isEqualTo(java.util.Arrays.copyOfRange(bytes, bytes.length - s.payloadLength, bytes.length));
    }

    @Property(tries = 500)
    void itemPointerFieldsRoundTrip(@ForAll @IntRange(min = 1, max = 7) int b, @ForAll boolean immediate,
                                    @ForAll long idSeed, @ForAll long valueSeed) {
        int a = b * 8;
        long id = Math.floorMod(idSeed, ItemPointer.maxId(a) + 1);
        long value = Math.floorMod(valueSeed, ItemPointer.mask(a) + 1);
        long p = ItemPointer.encode(immediate, id, value, a);
        assertThat(ItemPointer.isImmediate(p)).isEqualTo(immediate);
        assertThat(ItemPointer.id(p, a)).isEqualTo(id);
        assertThat(ItemPointer.value(p, a)).isEqualTo(value);
    }

    /**
     * 1,000 tries × 1,000 packets = 1,000,000 random and mutated packets. Each is decoded from a segment of
     * exactly its own length, so any read outside the packet would throw IndexOutOfBoundsException; the
     * decoder must never throw and a success must describe a packet inside those bounds.
     */
    @Property(tries = 1000)
    void randomAndMutatedPacketsNeverThrowNorReadOutside(@ForAll("specs") Spec base, @ForAll long seed) {
        Random random = new Random(seed);
        byte[] valid = encode(base);
        PacketDecoder d = new PacketDecoder();
        for (int i = 0; i < 1000; i++) {
            byte[] packet;
            switch (i % 4) {
                case 0 -> {
                    packet = new byte[random.nextInt(80)];
                    random.nextBytes(packet);
                    if (packet.length >= 2 && random.nextBoolean()) {
                        packet[0] = 0x53;
                        packet[1] = 0x04;
                    }
                }
                case 1 -> {
                    packet = valid.clone();
                    for (int k = random.nextInt(4); k >= 0; k--) {
                        packet[random.nextInt(packet.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 2 -> packet = java.util.Arrays.copyOf(valid, random.nextInt(valid.length + 1));
                default -> {
                    packet = valid.clone();
                    int at = random.nextInt(packet.length);
                    packet[at] = (byte) random.nextInt(256);
                    if (packet.length > 7) {
                        packet[2 + random.nextInt(6)] = (byte) random.nextInt(256);
                    }
                }
            }
            MemorySegment seg = MemorySegment.ofArray(packet);
            long size = d.decode(seg, 0, packet.length);
            assertThat(size).isBetween(0L, (long) packet.length);
            if (size > 0) {
                assertThat(d.payloadStart() + d.payloadLength()).isLessThanOrEqualTo(packet.length);
                if (d.heapLength() >= 0) {
                    assertThat(d.payloadOffset() + d.payloadLength()).isLessThanOrEqualTo(d.heapLength());
                }
                for (int k = 0; k < d.pointerCount(); k++) {
                    d.pointer(k);
                }
            }
            PacketDecoder.packetSize(seg, 0, packet.length);
        }
    }
}
