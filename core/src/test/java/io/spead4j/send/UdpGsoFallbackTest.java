package io.spead4j.send;

import io.spead4j.ThreadPool;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The GSO fallback of the native UDP sender (spead2's): when a message of merged datagrams is refused, its
 * datagrams are sent again one by one and, as that works, segmentation offload stays off for the stream.
 * Loopback never refuses GSO by itself, so the test makes the kernel refuse it: with UDP checksums off
 * ({@code SO_NO_CHECK}, and {@code UDP_NO_CHECK6_TX} on an IPv6 socket) Linux rejects every GSO send with
 * {@code EINVAL} but still sends plain datagrams. The receiver keeps spead2's default (no out-of-order
 * packets), so a resend that overtook later packets would lose the heaps.
 */
class UdpGsoFallbackTest {
    private static final int SOL_SOCKET = 1;
    private static final int SO_NO_CHECK = 11;
    private static final int SOL_UDP = 17;
    private static final int UDP_NO_CHECK6_TX = 101;
    private static final ThreadPool POOL = TestPools.shared();

    @Test
    void aRefusedGsoMessageIsResentWithoutGsoAndGsoStaysOff() {
        assumeTrue(NativeUdpSocket.isSupported(), NativeUdpSocket::unsupportedReason);
        byte[] payload = new byte[200_000]; // 25 packets of 8192 bytes: runs of 7 would be merged
        new SplittableRandom(14).nextBytes(payload);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (io.spead4j.recv.Stream receiver = new io.spead4j.recv.Stream(POOL,
                    new io.spead4j.recv.StreamConfig(), new RingStreamConfig().withHeaps(4))) {
                receiver.addUdpReader(0, 9000, 8 << 20, "127.0.0.1");
                int port = receiver.localAddresses().getFirst().getPort();
                InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                try (UdpStream sender = new UdpStream(POOL, List.of(to),
                        StreamConfig.DEFAULT.withMaxPacketSize(8192 + 64).withRate(1e9))) {
                    NativeUdpSocket socket = sender.nativeSocket();
                    assumeTrue(socket != null, "the stream uses the NIO path here");
                    assumeTrue(sender.gsoActive(), "this kernel offers no GSO");
                    socket.setOption(SOL_SOCKET, SO_NO_CHECK, 1);
                    if (socket.isIpv6()) {
                        socket.setOption(SOL_UDP, UDP_NO_CHECK6_TX, 1);
                    }
                    // one group, so all 51 packets go in one sendmmsg call: the refused merged messages must be
                    // resent in order, before the short last packets and the stop heap that follow them
                    sender.sendHeaps(List.of(new HeapReference(new Heap().addItem(0x1000, payload, false), 1, 0),
                            new HeapReference(new Heap().addItem(0x1000, payload, false), 2, 0),
                            new HeapReference(new Heap().addEnd(), 3, 0)), GroupMode.SERIAL);
                    assertThat(sender.gsoActive()).as("GSO is off after the refused message").isFalse();
                    assertThat(sender.gathering()).as("the native path sends payload from the heap's memory")
                            .isTrue();
                }
                List<HeapBase> heaps = Drain.heaps(receiver);
                assertThat(heaps).extracting(HeapBase::cnt).containsExactly(1L, 2L);
                for (HeapBase heap : heaps) {
                    assertThat(heap.items().getFirst().bytes()).isEqualTo(payload);
                }
            }
        });
    }
}
