package io.spead4j.wire;

import io.spead4j.Spead;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property tests of the wire codec across every flavour spead2 accepts (SPEAD-64-8 to SPEAD-64-56), run as
 * plain JUnit tests over seeded pseudo-random cases.
 *
 * <p>Each property draws its cases from one {@link SplittableRandom} seeded by a fixed constant, so a run is
 * reproducible; {@code -Dspead4j.seed=N} runs every property from seed {@code N} instead, and
 * {@code -Dspead4j.seed=random} from a fresh seed. A failing case reports the seed, the try and the case, with
 * the command line that replays it.
 */
class PacketCodecPropertiesTest {
    /** The system property that overrides the seed. */
    static final String SEED_PROPERTY = "spead4j.seed";

    /** A packet description: flavour, the four specials, extra pointers and a payload. */
    record Spec(int bits, long cnt, long heapLength, long offset, int payloadLength, long[] extra) {
        @Override
        public String toString() {
            return "Spec[SPEAD-64-" + bits + ", cnt=" + cnt + ", heapLength=" + heapLength + ", offset=" + offset
                    + ", payloadLength=" + payloadLength + ", extra=" + Arrays.toString(extra) + "]";
        }
    }

    /** One try of a property: draws its case from {@code random} and asserts. */
    @FunctionalInterface
    interface Try {
        /**
         * Runs one try.
         *
         * @param random the try's own generator
         * @param caseDescription where the try describes its case (reported only if it fails)
         */
        void run(SplittableRandom random, StringBuilder caseDescription);
    }

    /**
     * Runs {@code tries} tries of a property; each try gets a generator split from the seeded one, so the
     * cases are the same on every run with the same seed.
     */
    static void forAll(String property, long defaultSeed, int tries, Try body) {
        long seed = seed(defaultSeed);
        SplittableRandom master = new SplittableRandom(seed);
        for (int t = 0; t < tries; t++) {
            SplittableRandom random = master.split();
            StringBuilder caseDescription = new StringBuilder();
            try {
                body.run(random, caseDescription);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(property + " failed: seed=" + seed + " try=" + t + "/" + tries
                        + " case=" + caseDescription + " (re-run with -D" + SEED_PROPERTY + "=" + seed + ")", e);
            }
        }
    }

    private static long seed(long defaultSeed) {
        String value = System.getProperty(SEED_PROPERTY);
        if (value == null || value.isBlank()) {
            return defaultSeed;
        }
        if (value.equalsIgnoreCase("random")) {
            return new SplittableRandom().nextLong();
        }
        return Long.decode(value.strip());
    }

    /** A value in {@code [0, max]}, biased towards the edges (0, 1, max - 1, max) one time in eight. */
    static long valueUpTo(SplittableRandom random, long max) {
        if (random.nextInt(8) == 0) {
            long[] edges = {0, 1, max - 1, max};
            return Math.clamp(edges[random.nextInt(edges.length)], 0, max);
        }
        return max == Long.MAX_VALUE ? random.nextLong(0, Long.MAX_VALUE) : random.nextLong(0, max + 1);
    }

    /** A random packet description of a random flavour, with up to 20 extra pointers and 300 payload bytes. */
    static Spec spec(SplittableRandom random) {
        int a = 8 * (1 + random.nextInt(7));
        long mask = ItemPointer.mask(a);
        long cnt = valueUpTo(random, mask);
        int len = (int) valueUpTo(random, Math.min(mask, 300));
        long off = valueUpTo(random, mask);
        long[] extra = new long[random.nextInt(21)];
        for (int i = 0; i < extra.length; i++) {
            long p = valueUpTo(random, Long.MAX_VALUE);
            // keep extra pointers clear of the special immediates so the decoded specials are ours
            long id = ItemPointer.id(p, a);
            if (id >= Spead.HEAP_CNT_ID && id <= Spead.PAYLOAD_LENGTH_ID) {
                p &= ~ItemPointer.IMMEDIATE_BIT;
            }
            if (i % 2 == 1) {
                p |= ItemPointer.IMMEDIATE_BIT;
                if (ItemPointer.id(p, a) <= Spead.PAYLOAD_LENGTH_ID) {
                    p = ItemPointer.immediate(Spead.STREAM_CTRL_ID, ItemPointer.value(p, a), a);
                }
            }
            extra[i] = p;
        }
        boolean sized = random.nextBoolean();
        long offset = Math.min(off, mask - len);
        long heapLength = sized ? offset + len : -1;
        return new Spec(a, cnt, heapLength, offset, len, extra);
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

    @Test
    void encodeThenDecodeRoundTrips() {
        int[] perFlavour = new int[8];
        forAll("encodeThenDecodeRoundTrips", 0x5EAD_0001L, 2000, (random, caseDescription) -> {
            Spec s = spec(random);
            caseDescription.append(s);
            perFlavour[s.bits / 8]++;
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
                    .isEqualTo(Arrays.copyOfRange(bytes, bytes.length - s.payloadLength, bytes.length));
        });
        // every flavour SPEAD-64-8 .. SPEAD-64-56 was exercised, many times over
        for (int b = 1; b <= 7; b++) {
            assertThat(perFlavour[b]).as("tries of SPEAD-64-%d", 8 * b).isGreaterThan(100);
        }
    }

    @Test
    void itemPointerFieldsRoundTrip() {
        forAll("itemPointerFieldsRoundTrip", 0x5EAD_0002L, 500, (random, caseDescription) -> {
            int a = 8 * (1 + random.nextInt(7));
            boolean immediate = random.nextBoolean();
            long id = valueUpTo(random, ItemPointer.maxId(a));
            long value = valueUpTo(random, ItemPointer.mask(a));
            caseDescription.append("SPEAD-64-").append(a).append(" immediate=").append(immediate)
                    .append(" id=").append(id).append(" value=").append(value);
            long p = ItemPointer.encode(immediate, id, value, a);
            assertThat(ItemPointer.isImmediate(p)).isEqualTo(immediate);
            assertThat(ItemPointer.id(p, a)).isEqualTo(id);
            assertThat(ItemPointer.value(p, a)).isEqualTo(value);
        });
    }

    /**
     * 1,000 tries × 1,000 packets = 1,000,000 random and mutated packets. Each is decoded from a segment of
     * exactly its own length, so any read outside the packet would throw IndexOutOfBoundsException; the
     * decoder must never throw and a success must describe a packet inside those bounds (its payload slice
     * is taken and read, so a size beyond the packet fails too).
     */
    @Test
    void randomAndMutatedPacketsNeverThrowNorReadOutside() {
        forAll("randomAndMutatedPacketsNeverThrowNorReadOutside", 0x5EAD_0003L, 1000, (random, caseDescription) -> {
            Spec base = spec(random);
            byte[] valid = encode(base);
            PacketDecoder d = new PacketDecoder();
            for (int i = 0; i < 1000; i++) {
                byte[] packet = packet(random, valid, i % 4);
                try {
                    decodeWithinBounds(d, packet);
                } catch (AssertionError | RuntimeException e) {
                    caseDescription.append("base=").append(base).append(" packet#").append(i).append('=')
                            .append(HexFormat.of().formatHex(packet));
                    throw e;
                }
            }
        });
    }

    /** Decodes {@code packet} from a segment of exactly its length and checks the result stays inside it. */
    private static void decodeWithinBounds(PacketDecoder d, byte[] packet) {
        MemorySegment seg = MemorySegment.ofArray(packet);
        long size = d.decode(seg, 0, packet.length);
        assertThat(size).as("decoded size").isBetween(0L, (long) packet.length);
        if (size > 0) {
            assertThat(d.payloadStart() + d.payloadLength()).as("payload end").isLessThanOrEqualTo(packet.length);
            if (d.heapLength() >= 0) {
                assertThat(d.payloadOffset() + d.payloadLength()).as("payload end in heap")
                        .isLessThanOrEqualTo(d.heapLength());
            }
            for (int k = 0; k < d.pointerCount(); k++) {
                d.pointer(k);
            }
            d.payload().toArray(ValueLayout.JAVA_BYTE);
        }
        PacketDecoder.packetSize(seg, 0, packet.length);
    }

    /** A random packet (kind 0), or {@code valid} with bit flips (1), truncated (2) or with bytes replaced (3). */
    private static byte[] packet(SplittableRandom random, byte[] valid, int kind) {
        byte[] packet;
        switch (kind) {
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
            case 2 -> packet = Arrays.copyOf(valid, random.nextInt(valid.length + 1));
            default -> {
                packet = valid.clone();
                int at = random.nextInt(packet.length);
                packet[at] = (byte) random.nextInt(256);
                if (packet.length > 7) {
                    packet[2 + random.nextInt(6)] = (byte) random.nextInt(256);
                }
            }
        }
        return packet;
    }
}
