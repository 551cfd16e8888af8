package io.spead4j.transport;

import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.testing.HeapItems;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.RawPacketSource;
import io.spead4j.send.UdpStream;
import io.spead4j.testing.TestPools;
import io.spead4j.wire.RawPacketWriter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Four UDP senders that share heap cnts (as SKA-Low's tiles do), each heap in two packets sent in an order
 * that interleaves the senders: for each cnt, A sends its first half, B its second, C its first, D its second,
 * then the other halves. With {@link StreamConfig#heapsPerSource()} on, every heap holds the data of one
 * sender only (its two halves and its two id items agree, and its {@link HeapBase#source()} is that sender's
 * socket); with it off (spead2's rule) the same packets make heaps that mix two senders, which shows the check
 * can fail. Loopback keeps the order of the packets, since each send returns once the kernel has the packet.
 */
@Timeout(120)
class HeapsPerSourceUdpTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final ThreadPool POOL = TestPools.shared();
    private static final int SENDERS = 4;
    private static final int CNTS = 25;
    private static final int HALF = 1000;

    /** The payload byte of sender {@code s}'s half {@code k} of heap {@code cnt}. */
    private static byte fill(int s, int k, long cnt) {
        return (byte) (s * 16 + k * 4 + cnt);
    }

    /** What one received heap holds. */
    private record Received(InetSocketAddress source, long cnt, long firstId, long secondId, byte[] data) {
        boolean pure() {
            if (firstId != secondId) {
                return false;
            }
            int s = (int) firstId;
            for (int i = 0; i < data.length; i++) {
                if (data[i] != fill(s, i / HALF, cnt)) {
                    return false;
                }
            }
            return true;
        }
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void heapsPerSourceNeverMixTwoSenders(UdpPath path) throws Exception {
        path.run(() -> checkPerSource(receive(path, true, LOOPBACK), LOOPBACK));
    }

    /** The same from IPv6 senders (::1), whose sources the readers keep in a small table. */
    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void heapsPerSourceNeverMixTwoIpv6Senders(UdpPath path) throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (java.nio.channels.DatagramChannel probe = java.nio.channels.DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(v6, 0));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
        }
        path.run(() -> checkPerSource(receive(path, true, v6), v6));
    }

    private static void checkPerSource(List<Received> heaps, InetAddress loopback) {
        {
            assertThat(heaps).hasSize(SENDERS * CNTS).allSatisfy(h ->
                    assertThat(h.pure()).as("heap %d from %s holds one sender's data", h.cnt(), h.source()).isTrue());
            Map<InetSocketAddress, Long> senderOf = new HashMap<>();
            Map<InetSocketAddress, Integer> count = new HashMap<>();
            for (Received h : heaps) {
                assertThat(h.source().getAddress()).isEqualTo(loopback);
                assertThat(senderOf.computeIfAbsent(h.source(), a -> h.firstId())).as("one sender per source")
                        .isEqualTo(h.firstId());
                count.merge(h.source(), 1, Integer::sum);
            }
            assertThat(senderOf.values()).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
            assertThat(count.values()).containsOnly(CNTS);
        }
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void withTheOptionOffTheSamePacketsMixSendersAsInSpead2(UdpPath path) throws Exception {
        path.run(() -> {
            List<Received> heaps = receive(path, false, LOOPBACK);
            assertThat(heaps).hasSize(SENDERS * CNTS).noneMatch(Received::pure);
        });
    }

    private static List<Received> receive(UdpPath path, boolean perSource, InetAddress loopback) throws Exception {
        return assertTimeoutPreemptively(LIMIT, () -> {
            StreamConfig config = new StreamConfig().withHeapsPerSource(perSource).withAllowOutOfOrder(true)
                    .withMaxHeaps(8);
            try (Stream receiver = new Stream(POOL, config, new RingStreamConfig().withHeaps(SENDERS * CNTS + 8))) {
                InetSocketAddress to = path.addReader(receiver, loopback, 9200, 8 << 20);
                List<UdpStream> senders = new ArrayList<>();
                // the senders use the reader's socket path too, on the shared pool: blocking sends in lockstep
                // from several native senders on one event loop (this hung before EventLoop's wake-up fix)
                try {
                    for (int s = 0; s < SENDERS; s++) {
                        senders.add(new UdpStream(POOL, List.of(to),
                                io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(9000)));
                    }
                    RawPacketWriter writer = new RawPacketWriter(48, 8);
                    byte[] payload = new byte[HALF];
                    for (long cnt = 1; cnt <= CNTS; cnt++) {
                        for (int round = 0; round < 2; round++) {
                            for (int s = 0; s < SENDERS; s++) {
                                int k = (s + round) % 2; // A: 0 then 1; B: 1 then 0; ...
                                writer.clear().immediate(1, cnt).immediate(2, 2 * HALF).immediate(3, (long) k * HALF)
                                        .immediate(4, HALF);
                                if (k == 0) {
                                    writer.address(0x1000, 0).immediate(0x1001, s);
                                } else {
                                    writer.immediate(0x1002, s);
                                }
                                Arrays.fill(payload, fill(s, k, cnt));
                                writer.payload(MemorySegment.ofArray(payload));
                                senders.get(s).sendPackets(RawPacketSource.of(writer), 0);
                            }
                        }
                    }
                    senders.forEach(UdpStream::close);
                } finally {
                    senders.forEach(UdpStream::close);
                }
                List<Received> heaps = new ArrayList<>();
                for (int i = 0; i < SENDERS * CNTS; i++) {
                    HeapBase h = receiver.getAsync().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(h).isInstanceOf(Heap.class);
                    heaps.add(new Received(h.source().orElseThrow(), h.cnt(), HeapItems.number(h, 0x1001),
                            HeapItems.number(h, 0x1002), HeapItems.bytes(h, 0x1000)));
                    ((Heap) h).release();
                }
                return heaps;
            }
        });
    }

}
