package io.spead4j.recv;

import io.spead4j.testing.TestPools;
import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random and mutated packets never make the receive path throw: the packet step is driven directly (so an
 * exception would reach the test) and through real buffer and inproc readers (which must still stop).
 */
class GarbageRobustnessTest {
    private static final List<StreamConfig> CONFIGS = List.of(
            new StreamConfig(),
            new StreamConfig().withAllowOutOfOrder(true).withMaxHeaps(2),
            new StreamConfig().withSubstreams(3).withMaxHeaps(1).withStopOnStopItem(false),
            new StreamConfig().withBugCompat(7).withMaxHeapSize(4096));
    private static final ThreadPool pool = TestPools.shared();

    /** The packets of a conformance vector, split by their decoded sizes. */
    static List<byte[]> packets(String name) {
        byte[] data = Conformance.bytes(name, "spead");
        MemorySegment seg = MemorySegment.ofArray(data);
        PacketDecoder d = new PacketDecoder();
        List<byte[]> out = new ArrayList<>();
        long pos = 0;
        while (pos < data.length) {
            long size = d.decode(seg, pos, data.length - pos);
            if (size == 0) {
                break;
            }
            out.add(java.util.Arrays.copyOfRange(data, (int) pos, (int) (pos + size)));
            pos += size;
        }
        return out;
    }

    static byte[] mutate(byte[] packet, Random random) {
        byte[] p = packet.clone();
        int changes = 1 + random.nextInt(4);
        for (int i = 0; i < changes; i++) {
            int headerEnd = Math.min(p.length, 8 + 8 * 12);
            int pos = random.nextInt(4) == 0 ? random.nextInt(p.length) : random.nextInt(headerEnd);
            switch (random.nextInt(3)) {
                case 0 -> p[pos] ^= (byte) (1 << random.nextInt(8));
                case 1 -> p[pos] = (byte) random.nextInt(256);
                default -> {
                    if (pos >= 8 && pos + 8 <= p.length) {
                        long v = random.nextLong();
                        for (int b = 0; b < 8; b++) {
                            p[(pos & ~7) + b - ((pos & ~7) + 8 > p.length ? 8 : 0)] = (byte) (v >>> (56 - 8 * b));
                        }
                    }
                }
            }
        }
        return p;
    }

    private static void touch(List<HeapBase> heaps) {
        for (HeapBase h : heaps) {
            h.isStartOfStream();
            h.isEndOfStream();
            h.items().forEach(it -> it.bytes());
            if (h instanceof Heap heap) {
                heap.descriptors();
                heap.release();
            }
        }
    }

    @Test
    void mutatedConformancePacketsThroughThePacketStep() {
        Random random = new Random(42);
        long heaps = 0;
        for (String name : Conformance.names()) {
            List<byte[]> original = packets(name);
            for (int round = 0; round < 20; round++) {
                StreamConfig config = CONFIGS.get(round % CONFIGS.size());
                List<byte[]> mutated = new ArrayList<>();
                for (byte[] p : original) {
                    mutated.add(random.nextInt(3) == 0 ? mutate(p, random) : p);
                    if (random.nextInt(10) == 0) {
                        mutated.add(mutate(p, random)); // a mutated duplicate
                    }
                }
                RecordingStream each = new RecordingStream(config);
                each.each(mutated.toArray(byte[][]::new)).stop();
                touch(each.heaps);
                RecordingStream buffer = new RecordingStream(config);
                buffer.buffer(TestPackets.concat(mutated.toArray(byte[][]::new)));
                assertThat(buffer.isStopped()).isTrue();
                touch(buffer.heaps);
                heaps += each.heaps.size() + buffer.heaps.size();
            }
        }
        assertThat(heaps).isPositive();
    }

    @Test
    void randomBytesWithAValidHeaderThroughThePacketStep() {
        Random random = new Random(7);
        for (int round = 0; round < 3000; round++) {
            int n = random.nextInt(6);
            byte[] p = new byte[8 + 8 * n + random.nextInt(64)];
            random.nextBytes(p);
            int addressBytes = 1 + random.nextInt(7);
            p[0] = 0x53;
            p[1] = 4;
            p[2] = (byte) (8 - addressBytes);
            p[3] = (byte) addressBytes;
            p[6] = 0;
            p[7] = (byte) n;
            // make some pointers special immediates with small values so packets decode
            for (int i = 0; i < n; i++) {
                if (random.nextBoolean()) {
                    int at = 8 + 8 * i;
                    p[at] = (byte) 0x80;
                    for (int b = 1; b < 8; b++) {
                        p[at + b] = 0;
                    }
                    int idBits = 63 - addressBytes * 8;
                    long id = 1 + random.nextInt(6);
                    long value = random.nextInt(16);
                    long pointer = Long.MIN_VALUE | (id << (63 - idBits)) | value;
                    for (int b = 0; b < 8; b++) {
                        p[at + b] = (byte) (pointer >>> (56 - 8 * b));
                    }
                }
            }
            StreamConfig config = CONFIGS.get(round % CONFIGS.size());
            RecordingStream s = new RecordingStream(config);
            s.each(p, p).buffer(p);
            s.stop();
            touch(s.heaps);
        }
    }

    @Test
    void mutatedPacketsThroughRealReadersStillEndTheStream() {
        Random random = new Random(3);
        for (String name : Conformance.names()) {
            List<byte[]> original = packets(name);
            List<byte[]> mutated = new ArrayList<>();
            for (byte[] p : original) {
                mutated.add(random.nextInt(2) == 0 ? mutate(p, random) : p);
            }
            try (Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(4, false, true))) {
                stream.addBufferReader(TestPackets.concat(mutated.toArray(byte[][]::new)));
                List<HeapBase> heaps = new ArrayList<>();
                stream.forEach(heaps::add);
                touch(heaps);
                assertThat(stream.isStopped()).isTrue();
            }
            InprocQueue queue = new InprocQueue();
            mutated.forEach(queue::addPacket);
            queue.stop();
            try (Stream stream = new Stream(pool, new StreamConfig(), new RingStreamConfig(4, false, true))) {
                stream.addInprocReader(queue);
                List<HeapBase> heaps = new ArrayList<>();
                stream.forEach(heaps::add);
                touch(heaps);
                assertThat(stream.isStopped()).isTrue();
            }
        }
    }
}
