package io.spead4j.send;

import io.spead4j.Flavour;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Packets gathered from pieces (the native UDP path sends payload from the heap's memory, uncopied) carry
 * exactly the bytes {@link PacketGenerator#nextPacket} writes, for seeded random heaps: every flavour, items in
 * native and in heap memory, large and tiny, immediates, padding, repeated pointers, many small items.
 * {@code -Dspead4j.seed=N} replays a seed.
 */
class GatheredPacketsTest {
    private static final int TRIES = 400;

    @Test
    void gatheredPacketsEqualCopiedPackets() {
        String property = System.getProperty("spead4j.seed");
        long seed = property == null || property.isBlank() ? 0x6A7E_E5EDL
                : property.equalsIgnoreCase("random") ? new SplittableRandom().nextLong() : Long.decode(property);
        SplittableRandom master = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int t = 0; t < TRIES; t++) {
                SplittableRandom random = master.split();
                StringBuilder description = new StringBuilder();
                try {
                    oneTry(random, arena, description);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("seed=" + seed + " try=" + t + " case=" + description
                            + " (re-run with -Dspead4j.seed=" + seed + ")", e);
                }
            }
        }
    }

    private static void oneTry(SplittableRandom random, Arena arena, StringBuilder description) {
        int bits = 8 * (1 + random.nextInt(7));
        Heap heap = new Heap(Flavour.of(bits));
        int items = random.nextInt(4) == 0 ? 1 + random.nextInt(100) : 1 + random.nextInt(6);
        for (int i = 0; i < items; i++) {
            int size = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(9);
                case 1 -> random.nextInt(300);
                case 2 -> 200 + random.nextInt(4000);
                default -> random.nextInt(40_000);
            };
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            MemorySegment value = random.nextBoolean() ? arena.allocate(Math.max(1, size)).asSlice(0, size)
                    : MemorySegment.ofArray(bytes);
            MemorySegment.copy(bytes, 0, value, ValueLayout.JAVA_BYTE, 0, size);
            heap.addItem(0x10 + i, value, random.nextBoolean());
            description.append(size).append(value.isNative() ? "n " : "h ");
        }
        heap.repeatPointers(random.nextInt(4) == 0 && items < 20);
        int packetSize = 56 + random.nextInt(random.nextBoolean() ? 1500 : 9000);
        description.append("bits=").append(bits).append(" packet=").append(packetSize)
                .append(" repeat=").append(heap.repeatPointers());
        PacketGenerator copied;
        PacketGenerator gathered;
        try {
            copied = new PacketGenerator(heap, 7, packetSize);
            gathered = new PacketGenerator(heap, 7, packetSize);
        } catch (IllegalArgumentException tooSmall) {
            return; // e.g. repeated pointers that do not fit: not this property's concern
        }
        List<byte[]> expected = copied.packets();
        List<byte[]> actual = new ArrayList<>();
        PacketBatch batch = new PacketBatch(1 << 20, 64);
        batch.setGather(true);
        while (gathered.hasNextPacket()) {
            if (!batch.hasRoom(gathered.maxPacketSize())) {
                drain(batch, actual);
            }
            int size = gathered.nextPacketGathered(batch);
            batch.addGathered(size, gathered.gatheredSegmentBytes(), 0, 0);
        }
        drain(batch, actual);
        assertThat(actual).hasSameSizeAs(expected);
        for (int p = 0; p < expected.size(); p++) {
            assertThat(actual.get(p)).as("packet %d", p).isEqualTo(expected.get(p));
        }
    }

    /** Reads each gathered packet back from its pieces, as the kernel does from the iovecs. */
    @SuppressWarnings("restricted") // reading the pieces by address, as the kernel will
    private static void drain(PacketBatch batch, List<byte[]> out) {
        for (int i = 0; i < batch.size(); i++) {
            assertThat(batch.pieces(i)).isBetween(1, PacketBatch.MAX_PIECES);
            byte[] packet = new byte[batch.length(i)];
            int at = 0;
            for (int k = 0; k < batch.pieces(i); k++) {
                int piece = batch.firstPiece(i) + k;
                MemorySegment bytes = MemorySegment.ofAddress(batch.pieceAddresses()[piece])
                        .reinterpret(batch.pieceLengths()[piece]);
                MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, 0, packet, at, batch.pieceLengths()[piece]);
                at += batch.pieceLengths()[piece];
            }
            assertThat(at).isEqualTo(packet.length);
            out.add(packet);
        }
        batch.clear();
    }

    @Test
    void memoryOfAClosedArenaFailsAsWhenCopied() {
        Arena arena = Arena.ofShared();
        MemorySegment value = arena.allocate(5000);
        Heap heap = new Heap().addItem(0x1000, value, false);
        PacketGenerator gen = new PacketGenerator(heap, 1, 1500);
        arena.close();
        PacketBatch batch = new PacketBatch(1 << 16, 64);
        batch.setGather(true);
        assertThatThrownBy(() -> gen.nextPacketGathered(batch)).isInstanceOf(IllegalStateException.class);
    }
}
