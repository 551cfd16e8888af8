package io.spead4j.recv;

import io.spead4j.ThreadPool;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.UdpBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * On the FFM UDP path, datagrams the kernel drops because the socket's receive buffer is full are counted as
 * {@link DropReason#KERNEL} (from {@code SO_RXQ_OVFL}): every datagram sent is either received or counted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelDropsTest {
    @Test
    void everyDatagramIsReceivedOrCountedAsAKernelDrop() throws Exception {
        Assumptions.assumeTrue(NativeUdpSocket.isSupported(),
                () -> "native UDP sockets unsupported here: " + NativeUdpSocket.unsupportedReason());
        String old = System.getProperty(UdpBackend.PROPERTY);
        System.setProperty(UdpBackend.PROPERTY, "native");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int flood = 2000;
        try (ThreadPool pool = new ThreadPool(1);
             Stream stream = new Stream(pool, new StreamConfig().withExplicitStart(true),
                     new RingStreamConfig().withHeaps(flood + 8));
             DatagramChannel sender = DatagramChannel.open()) {
            // a small receive buffer that nobody reads yet: most of the flood is dropped
            stream.addUdpReader(0, 9200, 64 * 1024, loopback.getHostAddress());
            InetSocketAddress to = stream.localAddresses().getFirst();
            for (int i = 0; i < flood; i++) {
                sender.send(ByteBuffer.wrap(singleHeap(i + 1, 1000)), to);
            }
            stream.start();
            long seen = -1;
            while (seen != stream.getStats().packets()) { // until the queued datagrams have been read
                seen = stream.getStats().packets();
                Thread.sleep(200);
            }
            // the kernel reports its drop count with the next datagram queued: the stop heap
            int sent = flood;
            do {
                sender.send(ByteBuffer.wrap(stopHeap(flood + 1)), to);
                sent++;
            } while (!stream.awaitStopped(2, TimeUnit.SECONDS));
            long received = stream.getStats().packets();
            long dropped = stream.getDrops().get(DropReason.KERNEL);
            assertThat(dropped).as("kernel drops").isPositive();
            assertThat(received + dropped).as("received %d + dropped %d", received, dropped).isEqualTo(sent);
            assertThat(stream.getDrops().asMap()).containsEntry(DropReason.KERNEL, dropped);
            assertThat(stream.getDrops().total()).isEqualTo(dropped);
        } finally {
            if (old == null) {
                System.clearProperty(UdpBackend.PROPERTY);
            } else {
                System.setProperty(UdpBackend.PROPERTY, old);
            }
        }
    }
}
