package io.spead4j.transport;

import io.spead4j.ThreadPool;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.BytesStream;
import io.spead4j.send.UdpStream;
import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The UDP reader and sender on loopback (SPEAD2-BEHAVIOUR.md §7): datagram rules, readers, stop, errors. */
class UdpTransportTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final ThreadPool POOL = TestPools.shared();

    /** @return one single-packet heap of exactly {@code length} bytes */
    private static byte[] datagram(long cnt, int length) throws IOException {
        int overhead = singlePacket(cnt, 100).length - 100;
        byte[] d = singlePacket(cnt, length - overhead);
        assertThat(d).hasSize(length);
        return d;
    }

    private static byte[] singlePacket(long cnt, int itemBytes) throws IOException {
        try (BytesStream out = new BytesStream(POOL, io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(9000))) {
            out.sendHeap(new io.spead4j.send.Heap().addItem(0x1000, ItemHeaps.randomBytes(cnt, itemBytes), false), cnt);
            return out.getValue();
        }
    }

    private static byte[] stopHeap(long cnt) throws IOException {
        try (BytesStream out = new BytesStream(POOL)) {
            out.sendHeap(new io.spead4j.send.Heap().addEnd(), cnt);
            return out.getValue();
        }
    }

    private static DatagramChannel bound() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress(LOOPBACK, 0));
        return ch;
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void oversizeEmptyAndMismatchedDatagramsAreDroppedAndNotCounted(UdpPath path) throws Exception {
        path.run(() -> oversizeEmptyAndMismatchedDatagramsAreDroppedAndNotCountedOver(path));
    }

    private void oversizeEmptyAndMismatchedDatagramsAreDroppedAndNotCountedOver(UdpPath path) throws Exception {
        int maxSize = 1000;
        byte[] exact = datagram(1, maxSize);                              // accepted: exactly maxSize
        byte[] oversize = datagram(2, maxSize + 1);                       // dropped: one byte too many
        byte[] longer = Arrays.copyOf(datagram(3, 500), 510);             // dropped: decodes to 500 of 510 bytes
        byte[] empty = new byte[0];                                       // dropped: empty
        byte[] garbage = ItemHeaps.randomBytes(7, 100);                   // dropped: does not decode
        byte[] small = datagram(4, 200);                                  // accepted
        byte[] stop = stopHeap(5);                                        // accepted: stops the stream
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig()); DatagramChannel tx = DatagramChannel.open()) {
                InetSocketAddress to = path.addReader(receiver, LOOPBACK, maxSize, 0);
                for (byte[] d : List.of(exact, oversize, longer, empty, garbage, small, stop)) {
                    tx.send(ByteBuffer.wrap(d), to);
                }
                List<HeapBase> heaps = Drain.heaps(receiver);
                assertThat(heaps).extracting(HeapBase::cnt).containsExactly(1L, 4L);
                int overhead = singlePacket(1, 100).length - 100;
                assertThat(heaps.get(0).items().getFirst().bytes())
                        .isEqualTo(ItemHeaps.randomBytes(1, maxSize - overhead));
                assertThat(receiver.getStats().packets()).as("only the three good datagrams are counted")
                        .isEqualTo(3);
                assertThat(receiver.localAddresses()).as("the socket is closed").isEmpty();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void aBatchTakesUpTo64QueuedDatagrams(UdpPath path) throws Exception {
        path.run(() -> aBatchTakesUpTo64QueuedDatagramsOver(path));
    }

    private void aBatchTakesUpTo64QueuedDatagramsOver(UdpPath path) throws Exception {
        int heaps = 199;
        byte[] stop = stopHeap(heaps + 1);
        assertTimeoutPreemptively(LIMIT, () -> {
            StreamConfig config = new StreamConfig().withExplicitStart(true);
            try (Stream receiver = new Stream(POOL, config, new RingStreamConfig().withHeaps(heaps + 1));
                 DatagramChannel tx = DatagramChannel.open()) {
                // all 200 datagrams wait in the socket before the reader starts: the buffer must hold them
                // (Linux charges a datagram of 100 to 200 bytes under 1 KiB) or some would be lost
                int granted;
                try (DatagramChannel probe = DatagramChannel.open()) {
                    probe.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
                    granted = probe.getOption(java.net.StandardSocketOptions.SO_RCVBUF);
                }
                Assumptions.assumeTrue(granted >= (heaps + 1) * 1024, () -> "this machine grants a UDP socket only "
                        + granted + " bytes of receive buffer (net.core.rmem_max): too few to queue "
                        + (heaps + 1) + " datagrams without loss");
                InetSocketAddress to = path.addReader(receiver, LOOPBACK, 9200, 4 << 20);
                for (int cnt = 1; cnt <= heaps; cnt++) {
                    tx.send(ByteBuffer.wrap(datagram(cnt, 100)), to);
                }
                tx.send(ByteBuffer.wrap(stop), to);
                receiver.start(); // all 200 datagrams wait in the socket: batches of 64, 64, 64 and 8
                assertThat(Drain.heaps(receiver)).hasSize(heaps);
                assertThat(receiver.getStats().packets()).isEqualTo(heaps + 1);
                assertThat(receiver.getStats().maxBatch()).isEqualTo(64);
                assertThat(receiver.getStats().batches()).isEqualTo(4);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void severalReadersFeedOneStream(UdpPath path) throws Exception {
        path.run(() -> severalReadersFeedOneStreamOver(path));
    }

    private void severalReadersFeedOneStreamOver(UdpPath path) throws Exception {
        int heaps = 20;
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig(), new RingStreamConfig().withHeaps(heaps + 1))) {
                List<InetSocketAddress> endpoints = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    endpoints.add(path.addReader(receiver, LOOPBACK, 9200, 0));
                }
                try (UdpStream sender = new UdpStream(POOL, endpoints,
                        io.spead4j.send.StreamConfig.DEFAULT.withRate(20e6))) {
                    for (int cnt = 1; cnt <= heaps; cnt++) {
                        sender.sendHeap(new io.spead4j.send.Heap().addItem(0x1000, ItemHeaps.randomBytes(cnt, 1000),
                                false), cnt, cnt % 2);
                    }
                }
                List<Long> cnts = new ArrayList<>();
                for (int i = 0; i < heaps; i++) {
                    HeapBase h = receiver.getAsync().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(h.items().getFirst().bytes()).isEqualTo(ItemHeaps.randomBytes(h.cnt(), 1000));
                    cnts.add(h.cnt());
                }
                assertThat(cnts).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L,
                        14L, 15L, 16L, 17L, 18L, 19L, 20L);
                receiver.stop();
                assertThat(receiver.getStats().packets()).isEqualTo(heaps);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void userStopWakesBlockedReadersAndClosesTheirSockets(UdpPath path) throws Exception {
        path.run(() -> userStopWakesBlockedReadersAndClosesTheirSocketsOver(path));
    }

    private void userStopWakesBlockedReadersAndClosesTheirSocketsOver(UdpPath path) throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            Stream receiver = new Stream(POOL, new StreamConfig());
            path.addReader(receiver, LOOPBACK, 9200, 0);
            path.addReader(receiver, LOOPBACK, 2000, 0);
            assertThat(receiver.localAddresses()).hasSize(2);
            Thread.sleep(100); // let the readers block (not asserted on)
            receiver.stop();
            assertThat(receiver.awaitStopped(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(receiver.localAddresses()).as("both sockets closed").isEmpty();
            assertThat(Drain.heaps(receiver)).isEmpty();
        });
    }

    /**
     * Native path with segmentation offload: the sender hands runs of equal-sized packets to the kernel as one
     * message (GSO) and the reader takes them coalesced (GRO) and splits them back, so one receive batch holds
     * more packets than recvmmsg takes messages (64): impossible without coalescing.
     */
    @Test
    void nativeGsoAndGroCarryManyPacketsPerMessageAndTheHeapArrivesExact() throws Exception {
        UdpPath.Selection selection = UdpPath.NATIVE.select();
        try (io.spead4j.net.NativeUdpSocket probe = io.spead4j.net.NativeUdpSocket.open(
                java.net.StandardProtocolFamily.INET)) {
            Assumptions.assumeTrue(probe.probeGso(), "kernel refuses UDP_SEGMENT");
            Assumptions.assumeTrue(probe.enableGro(), "kernel refuses UDP_GRO");
            int bytes = 150 * 1400;
            assertTimeoutPreemptively(LIMIT, () -> {
                StreamConfig config = new StreamConfig().withExplicitStart(true);
                try (Stream receiver = new Stream(POOL, config, new RingStreamConfig().withHeaps(4))) {
                    InetSocketAddress to = UdpPath.NATIVE.addReader(receiver, LOOPBACK, 9200, 4 << 20);
                    try (UdpStream sender = new UdpStream(POOL, List.of(to),
                            io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(1472))) {
                        sender.sendHeap(new io.spead4j.send.Heap().addItem(0x1000, ItemHeaps.randomBytes(9, bytes),
                                false), 1);
                        sender.sendHeap(new io.spead4j.send.Heap().addEnd(), 2);
                    }
                    receiver.start(); // everything waits in the socket: a few coalesced messages
                    List<HeapBase> heaps = Drain.heaps(receiver);
                    assertThat(heaps).hasSize(1);
                    assertThat(heaps.getFirst().items().getFirst().bytes()).isEqualTo(ItemHeaps.randomBytes(9, bytes));
                    assertThat(receiver.getStats().packets()).as("1400-odd payload bytes per packet").isGreaterThan(140);
                    assertThat(receiver.getStats().maxBatch()).as("packets in one batch").isGreaterThan(64);
                }
            });
        } finally {
            selection.close();
        }
    }

    @Test
    void readersAddedAfterStopAreIgnoredAndTheirSocketsClosed() throws Exception {
        Stream receiver = new Stream(POOL, new StreamConfig());
        receiver.stop();
        DatagramChannel late = bound();
        receiver.addUdpReader(late);
        assertThat(late.isOpen()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void aDatagramTheSocketRefusesFailsItsHeapAndLaterHeapsStillGo(UdpPath path) throws Exception {
        path.run(() -> aDatagramTheSocketRefusesFailsItsHeapAndLaterHeapsStillGoOver(path));
    }

    private void aDatagramTheSocketRefusesFailsItsHeapAndLaterHeapsStillGoOver(UdpPath path) throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig())) {
                InetSocketAddress to = path.addReader(receiver, LOOPBACK, 70_000, 0);
                try (UdpStream sender = new UdpStream(POOL, List.of(to),
                        io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(70_000))) {
                    // 66 000 bytes in one datagram: more than IPv4 UDP carries (65 507)
                    assertThatThrownBy(() -> sender.sendHeap(new io.spead4j.send.Heap()
                            .addItem(0x1000, new byte[66_000], false), 1)).isInstanceOf(IOException.class);
                    long sent = sender.sendHeap(new io.spead4j.send.Heap()
                            .addItem(0x1000, ItemHeaps.randomBytes(2, 3000), false), 2);
                    assertThat(sent).isGreaterThan(3000);
                }
                HeapBase h = receiver.getAsync().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(h.cnt()).isEqualTo(2);
                receiver.stop();
            }
        });
    }

    @Test
    void theMulticastFormAcceptsTheInterfaceAddressForUnicastAsSpead2Does() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig()); DatagramChannel tx = DatagramChannel.open()) {
                receiver.addUdpReader(InetAddress.getByName("0.0.0.0"), 0, 9200, 0, lo);
                InetSocketAddress bound = receiver.localAddresses().getFirst();
                assertThat(bound.getAddress()).isEqualTo(lo);
                int port = bound.getPort();
                tx.send(ByteBuffer.wrap(datagram(1, 300)), new InetSocketAddress(lo, port));
                tx.send(ByteBuffer.wrap(stopHeap(2)), new InetSocketAddress(lo, port));
                assertThat(Drain.heaps(receiver)).extracting(HeapBase::cnt).containsExactly(1L);
            }
        });
    }

    @Test
    void localAddressesNameThePortsTheSystemChoseForEverySocketReader() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        // explicit start: the readers wait, so the stream cannot stop before the addresses are read
        try (Stream receiver = new Stream(POOL, new StreamConfig().withExplicitStart(true))) {
            assertThat(receiver.localAddresses()).isEmpty();
            receiver.addUdpReader(0, 9200, 0, "127.0.0.1");
            DatagramChannel own = bound();
            InetSocketAddress ownAddress = (InetSocketAddress) own.getLocalAddress();
            receiver.addUdpReader(own);
            receiver.addBufferReader(new byte[0]); // not a socket: not listed
            receiver.addTcpReader(0, 65536, 0, "127.0.0.1");
            List<InetSocketAddress> addresses = receiver.localAddresses();
            assertThat(addresses).hasSize(3);
            assertThat(addresses.get(0).getAddress()).isEqualTo(v4);
            assertThat(addresses.get(0).getPort()).isPositive().isNotEqualTo(ownAddress.getPort());
            assertThat(addresses.get(1)).isEqualTo(ownAddress);
            assertThat(addresses.get(2).getAddress()).isEqualTo(v4);
            assertThat(addresses.get(2).getPort()).isPositive();
            receiver.stop();
            assertThat(own.isOpen()).isFalse();
            assertThat(receiver.localAddresses()).as("closed sockets are left out").isEmpty();
        }
    }

    @Test
    void arguments() throws Exception {
        io.spead4j.send.StreamConfig config = io.spead4j.send.StreamConfig.DEFAULT;
        InetSocketAddress v4 = new InetSocketAddress("127.0.0.1", 9);
        InetSocketAddress v6 = new InetSocketAddress("::1", 9);
        assertThatIllegalArgumentException().isThrownBy(() -> new UdpStream(POOL, List.of(), config))
                .withMessageContaining("non-empty");
        assertThatIllegalArgumentException().isThrownBy(() -> new UdpStream(POOL, List.of(v4, v6), config))
                .withMessageContaining("does not match");
        assertThatIllegalArgumentException().isThrownBy(() -> new UdpStream(POOL, List.of(v4), config, 0, 1))
                .withMessageContaining("not a multicast address");
        assertThatIllegalArgumentException().isThrownBy(() -> new UdpStream(POOL,
                        List.of(new InetSocketAddress("ff15::1", 9)), config, 0, 1, InetAddress.getByName("127.0.0.1")))
                .withMessageContaining("not an IPv4 multicast address");
        assertThatIllegalArgumentException().isThrownBy(() -> new UdpStream(POOL, List.of(v4), config, -1))
                .withMessageContaining("buffer size");
        Stream receiver = new Stream(POOL, new StreamConfig());
        assertThatIllegalArgumentException().isThrownBy(() -> receiver.addUdpReader(0, 0)).withMessageContaining("maxSize");
        assertThatIllegalArgumentException().isThrownBy(() -> receiver.addUdpReader(70_000))
                .withMessageContaining("port");
        assertThatIllegalArgumentException().isThrownBy(() -> receiver.addUdpReader(
                InetAddress.getByName("127.0.0.2"), 0, 9200, 0, InetAddress.getByName("127.0.0.1")))
                .withMessageContaining("does not match the interface address");
        assertThatIllegalArgumentException().isThrownBy(() -> receiver.addUdpReader(
                InetAddress.getByName("::1"), 0, 9200, 0, (InetAddress) null))
                .withMessageContaining("not an IPv4 multicast address");
        assertThatIllegalArgumentException().isThrownBy(() -> receiver.addUdpReader(
                InetAddress.getByName("239.255.0.1"), 0, 9200, 0, 1))
                .withMessageContaining("not an IPv6 multicast address");
        receiver.stop();
    }
}
