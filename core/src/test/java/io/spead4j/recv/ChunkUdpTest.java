package io.spead4j.recv;

import io.spead4j.ThreadPool;
import io.spead4j.send.Heap;
import io.spead4j.send.UdpStream;
import io.spead4j.testing.TestPools;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.UdpBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chunks received over real UDP on 127.0.0.1, over each socket path ({@value UdpBackend#PROPERTY} = nio, and
 * native where supported: the batched recvmmsg path), in a MeerKAT F-engine-like shape placed by
 * {@link TimestampPlacer}: heaps with a timestamp and an F-engine id, 4 timestamps x 4 F-engines a chunk,
 * 3 packets a heap.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChunkUdpTest {
    private static final ThreadPool pool = TestPools.shared();
    private static final long TIMESTAMP_ID = 0x1600;
    private static final long FENG_ID = 0x4101;
    private static final long RAW_ID = 0x4300;
    private static final long STEP = 2048;
    private static final int FENGS = 4;
    private static final int HEAP_SIZE = 4096;

    private static byte[] payload(long timestamp, int feng) {
        byte[] out = new byte[HEAP_SIZE];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (timestamp / STEP * 31 + feng * 7 + i);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "native"})
    void chunksOverUdpLoopback(String path) throws Exception {
        if (path.equals("native")) {
            Assumptions.assumeTrue(NativeUdpSocket.isSupported(), "native UDP sockets unsupported here");
        }
        String old = System.getProperty(UdpBackend.PROPERTY);
        System.setProperty(UdpBackend.PROPERTY, path);
        try {
            receiveChunks();
        } finally {
            if (old == null) {
                System.clearProperty(UdpBackend.PROPERTY);
            } else {
                System.setProperty(UdpBackend.PROPERTY, old);
            }
        }
    }

    private void receiveChunks() throws Exception {
        TimestampPlacer placer = new TimestampPlacer(TIMESTAMP_ID, STEP, 4, HEAP_SIZE).withIndex(FENG_ID, FENGS);
        ChunkRingbuffer data = new ChunkRingbuffer(4);
        try (ChunkRingStream stream = TimestampPlacerRingStreams.withFourFreeChunks(pool, placer, data,
                new ChunkRingbuffer(4))) {
            stream.addUdpReader(0, 9200, 4 << 20, "127.0.0.1"); // a large buffer: nothing lost on a busy machine
            InetSocketAddress to = stream.localAddresses().getFirst();
            int timestamps = 10; // 2.5 chunks; timestamp 5 is left out (a missing time slot)
            try (UdpStream sender = new UdpStream(pool, List.of(to),
                    io.spead4j.send.StreamConfig.DEFAULT.withRate(10e6))) {
                for (int t = 0; t < timestamps; t++) {
                    if (t == 5) {
                        continue;
                    }
                    for (int feng = 0; feng < FENGS; feng++) {
                        sender.sendHeap(new Heap().addItem(TIMESTAMP_ID, t * STEP).addItem(FENG_ID, feng)
                                .addItem(RAW_ID, payload(t * STEP, feng), false));
                    }
                }
                sender.sendHeap(new Heap().addEnd());
            }
            List<Chunk> chunks = new ArrayList<>();
            for (Chunk chunk : data) {
                chunks.add(chunk);
            }
            assertThat(chunks).extracting(Chunk::chunkId).containsExactly(0L, 1L, 2L);
            for (Chunk chunk : chunks) {
                byte[] present = chunk.present().toArray(ValueLayout.JAVA_BYTE);
                for (int slot = 0; slot < 4; slot++) {
                    long t = chunk.chunkId() * 4 + slot;
                    for (int feng = 0; feng < FENGS; feng++) {
                        int heapIndex = slot * FENGS + feng;
                        boolean sent = t < timestamps && t != 5;
                        assertThat(present[heapIndex]).as("presence of timestamp %d feng %d", t, feng)
                                .isEqualTo((byte) (sent ? 1 : 0));
                        if (sent) {
                            assertThat(chunk.data().asSlice((long) heapIndex * HEAP_SIZE, HEAP_SIZE)
                                    .toArray(ValueLayout.JAVA_BYTE)).isEqualTo(payload(t * STEP, feng));
                        }
                    }
                }
            }
            assertThat(placer.chunkTimestamp(2)).isEqualTo(8 * STEP);
            stream.awaitStopped();
            StreamStats stats = stream.getStats();
            assertThat(stats.heaps()).isEqualTo((timestamps - 1) * FENGS);
            assertThat(stats.get("rejected_heaps")).isEqualTo(1); // the end heap
            assertThat(stats.get("too_old_heaps")).isZero();
            assertThat(Arrays.asList(stats.incompleteHeapsEvicted(), stats.incompleteHeapsFlushed()))
                    .containsOnly(0L);
        }
    }
}
