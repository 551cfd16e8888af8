package io.spead4j.send;

import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.testing.HeapItems;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.TestPools;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketHeader;
import io.spead4j.wire.RawPacketWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The packet-level writer ({@link RawPacketWriter}) and its path through a send stream
 * ({@link Stream#sendPackets}): it writes exactly the pointers it is given, so it reproduces a real SKA-Low
 * packet byte for byte, and packets in the TPM layout it writes read back through the receive leniency options
 * with the values they were written with.
 */
@Timeout(60)
class RawPacketWriterTest {
    private static final ThreadPool pool = TestPools.shared();

    @Test
    void writesTheFirstPacketOfTheSpsV1CaptureByteForByte() throws Exception {
        byte[] file = Files.readAllBytes(Conformance.shared().resolve("realworld/ska-low-sps-v1-testbench.pcap"));
        // 24-byte pcap header, 16-byte record header, 42 bytes of Ethernet, IPv4 and UDP: the packet at 82
        byte[] packet = Arrays.copyOfRange(file, 82, 82 + 8264);
        MemorySegment in = MemorySegment.ofArray(packet);
        int n = PacketHeader.numItems(in, 0);
        assertThat(n).isEqualTo(8);
        RawPacketWriter writer = new RawPacketWriter(48, 8);
        // the items as the README lists them, with the values read from the packet
        long[] ids = {0x0001, 0x0004, 0x1027, 0x1600, 0x1011, 0x3000, 0x3001, 0x3300};
        for (int i = 0; i < n; i++) {
            long p = in.get(PacketHeader.BE_LONG, 8 + 8L * i);
            assertThat(ItemPointer.isImmediate(p)).isTrue();
            assertThat(ItemPointer.id(p, 48)).isEqualTo(ids[i]);
            writer.immediate(ids[i], ItemPointer.value(p, 48));
        }
        writer.payload(in.asSlice(72, 8192));
        assertThat(writer.size()).isEqualTo(8264);
        byte[] out = new byte[8264 + 16];
        assertThat(writer.writeTo(MemorySegment.ofArray(out), 8)).isEqualTo(8264);
        assertThat(Arrays.copyOfRange(out, 8, 8 + 8264)).isEqualTo(packet);
        assertThat(Arrays.copyOfRange(out, 0, 8)).containsOnly(0);
        assertThat(Arrays.copyOfRange(out, 8 + 8264, out.length)).containsOnly(0);
        // the same bytes through a send stream
        InprocQueue queue = new InprocQueue();
        try (InprocStream sender = new InprocStream(pool, List.of(queue),
                StreamConfig.DEFAULT.withMaxPacketSize(9000))) {
            assertThat(sender.sendPackets(RawPacketSource.of(writer), 0)).isEqualTo(8264);
        }
        assertThat(queue.pop(10, TimeUnit.SECONDS)).isEqualTo(packet);
        try (InprocStream sender = new InprocStream(pool, List.of(queue), StreamConfig.DEFAULT)) {
            assertThatThrownBy(() -> sender.sendPackets(RawPacketSource.of(writer), 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("substream");
            RawPacketSource empty = RawPacketSource.of(writer);
            assertThat(sender.sendPacketsAsync(RawPacketSource.of(writer), 0))
                    .as("8264 bytes exceed the default 1472").failsWithin(java.time.Duration.ofSeconds(10));
            empty.nextPacket(MemorySegment.ofArray(new byte[9000]), 0, 9000);
            assertThatThrownBy(() -> sender.sendPackets(empty, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no packet");
        }
    }

    @Test
    void refusesWhatDoesNotFit() {
        RawPacketWriter writer = new RawPacketWriter(48, 1);
        writer.immediate(1, 5);
        assertThatThrownBy(() -> writer.immediate(2, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at most 1");
        assertThatThrownBy(() -> writer.clear().immediate(1, 1L << 48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.clear().address(1L << 15, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RawPacketWriter(12, 1)).isInstanceOf(IllegalArgumentException.class);
        writer.clear().immediate(1, 1).payload(MemorySegment.ofArray(new byte[100]));
        assertThatThrownBy(() -> writer.writeTo(MemorySegment.ofArray(new byte[100]), 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** A simulated TPM: packets of integrated channel data from {@code tiles} tiles sharing each cnt. */
    private static final class TpmSimulator implements RawPacketSource {
        private final RawPacketWriter writer = new RawPacketWriter(48, 8);
        private final byte[] samples = new byte[1024];
        private final MemorySegment payload = MemorySegment.ofArray(samples);
        private final int tiles;
        private final int cnts;
        private int next;

        TpmSimulator(int tiles, int cnts) {
            this.tiles = tiles;
            this.cnts = cnts;
        }

        @Override
        public boolean hasNextPacket() {
            return next < tiles * cnts;
        }

        @Override
        public int nextPacket(MemorySegment dst, long offset, int maxSize) {
            int tile = next % tiles;
            long cnt = 304576 + next / tiles;
            next++;
            Arrays.fill(samples, (byte) (tile * 31 + cnt));
            // the layout of ska-low-tpm-channel-integ.pcapng: no heap size, no payload offset
            writer.clear().immediate(0x0001, cnt).immediate(0x0004, samples.length)
                    .immediate(0x1027, 1752710363L).immediate(0x1600, 132559215699L + cnt)
                    .immediate(0x2004, 6).immediate(0x2002, 8 + ((long) tile << 32))
                    .immediate(0x2001, 0x000200040000L + tile).address(0x3300, 0).payload(payload);
            return (int) writer.writeTo(dst, offset);
        }
    }

    @Test
    void packetsInTheTpmLayoutReadBackThroughTheLeniencyOptions() throws Exception {
        int tiles = 4;
        int cnts = 16;
        for (boolean lenient : new boolean[] {false, true}) {
            InprocQueue queue = new InprocQueue();
            io.spead4j.recv.StreamConfig config = new io.spead4j.recv.StreamConfig()
                    .withMissingPayloadOffsetIsZero(lenient).withMissingHeapLengthIsPacket(lenient);
            try (io.spead4j.recv.Stream receiver = new io.spead4j.recv.Stream(pool, config,
                    new RingStreamConfig().withHeaps(tiles * cnts + 1))) {
                receiver.addInprocReader(queue);
                try (InprocStream sender = new InprocStream(pool, List.of(queue),
                        StreamConfig.DEFAULT.withMaxPacketSize(9000))) {
                    assertThat(sender.sendPackets(new TpmSimulator(tiles, cnts), 0))
                            .isEqualTo((long) tiles * cnts * (8 + 64 + 1024));
                }
                queue.stop();
                List<HeapBase> heaps = new ArrayList<>();
                receiver.forEach(heaps::add);
                if (!lenient) {
                    assertThat(heaps).as("spead2 rejects the TPM layout").isEmpty();
                    assertThat(receiver.getStats().packets()).isZero();
                    continue;
                }
                assertThat(heaps).hasSize(tiles * cnts);
                for (int i = 0; i < heaps.size(); i++) {
                    Heap heap = (Heap) heaps.get(i);
                    int tile = i % tiles;
                    long cnt = 304576 + i / tiles;
                    assertThat(heap.cnt()).isEqualTo(cnt);
                    assertThat(heap.source()).as("an inproc reader does not know the source").isEmpty();
                    assertThat(HeapItems.number(heap, 0x1027)).isEqualTo(1752710363L);
                    assertThat(HeapItems.number(heap, 0x1600)).isEqualTo(132559215699L + cnt);
                    assertThat(HeapItems.number(heap, 0x2004)).isEqualTo(6);
                    assertThat(HeapItems.number(heap, 0x2002)).isEqualTo(8 + ((long) tile << 32));
                    assertThat(HeapItems.number(heap, 0x2001)).isEqualTo(0x000200040000L + tile);
                    byte[] data = HeapItems.bytes(heap, 0x3300);
                    byte[] expected = new byte[1024];
                    Arrays.fill(expected, (byte) (tile * 31 + cnt));
                    assertThat(data).isEqualTo(expected);
                    assertThat(heap.payload().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
                    heap.release();
                }
            }
        }
    }

}
