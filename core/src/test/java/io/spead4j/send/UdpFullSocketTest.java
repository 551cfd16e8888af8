package io.spead4j.send;

import io.spead4j.ThreadPool;
import io.spead4j.net.NativeUdpSocket;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A native UDP sender whose socket buffer is full ({@code EAGAIN}) waits for writability and goes on: with a
 * send buffer of a few KiB and no rate limit, the kernel refuses most {@code sendmmsg} calls for a moment, so
 * the writer on its event loop takes the EPOLLOUT path many times; every heap must still complete.
 */
class UdpFullSocketTest {
    @Test
    void aFullSendBufferIsWaitedOutAndEveryHeapCompletes() {
        assumeTrue(NativeUdpSocket.isSupported(), NativeUdpSocket::unsupportedReason);
        byte[] payload = new byte[1 << 20];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (ThreadPool pool = new ThreadPool(1);
                 DatagramChannel sink = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                 UdpStream sender = new UdpStream(pool, List.of((InetSocketAddress) sink.getLocalAddress()),
                         StreamConfig.DEFAULT.withMaxPacketSize(9000).withMaxHeaps(8), 4096)) {
                assumeTrue(sender.nativeSocket() != null, "the stream uses the NIO path here");
                long total = 0;
                for (int i = 0; i < 200; i++) {
                    total += sender.sendHeap(new Heap().addItem(0x1000, payload, false), i + 1);
                }
                assertThat(total).isGreaterThan(200L << 20);
            }
        });
    }
}
