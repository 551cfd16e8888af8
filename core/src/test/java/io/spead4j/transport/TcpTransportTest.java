package io.spead4j.transport;

import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.BytesStream;
import io.spead4j.send.TcpStream;
import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The TCP reader and sender on 127.0.0.1 (SPEAD2-BEHAVIOUR.md §7): framing, resync, oversize, end of file. */
class TcpTransportTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final ThreadPool POOL = TestPools.shared();

    /** Packets of single-item heaps with the given cnts, back to back, cut at {@code packetSize}. */
    static byte[] heaps(int packetSize, int itemBytes, long... cnts) throws IOException {
        try (BytesStream out = new BytesStream(POOL, io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(packetSize))) {
            for (long cnt : cnts) {
                out.sendHeap(new io.spead4j.send.Heap().addItem(0x1000, ItemHeaps.randomBytes(cnt, itemBytes), false),
                        cnt);
            }
            return out.getValue();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** @return the number of whole packets at the start of back-to-back data */
    private static long wholePackets(byte[] data) {
        MemorySegment m = MemorySegment.ofArray(data);
        long offset = 0;
        long n = 0;
        while (true) {
            long size = PacketDecoder.packetSize(m, offset, data.length - offset);
            if (size <= 0 || offset + size > data.length) {
                return n;
            }
            offset += size;
            n++;
        }
    }

    private static ServerSocketChannel listen() throws IOException {
        ServerSocketChannel acceptor = ServerSocketChannel.open();
        acceptor.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return acceptor;
    }

    private static void writeAll(SocketChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @ParameterizedTest(name = "abortive close: {0}")
    @ValueSource(booleans = {false, true})
    void aSenderDyingMidHeapLeavesEveryCompleteHeapBeforeItAndAStoppedStream(boolean reset) throws Exception {
        byte[] complete = heaps(1472, 5000, 1, 2, 3);
        byte[] fourth = heaps(1472, 5000, 4);
        byte[] partial = Arrays.copyOf(fourth, fourth.length / 2 + 3); // cut inside a packet
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig())) {
                ServerSocketChannel acceptor = listen();
                InetSocketAddress address = (InetSocketAddress) acceptor.getLocalAddress();
                receiver.addTcpReader(acceptor);
                List<Long> got = new ArrayList<>();
                try (SocketChannel raw = SocketChannel.open(address)) {
                    writeAll(raw, complete);
                    writeAll(raw, partial);
                    long whole = wholePackets(concat(complete, partial));
                    // until the reader has taken every whole packet (a reset may drop the rest); if it never
                    // does, the time limit fails the test
                    while (receiver.getStats().packets() < whole) {
                        Thread.sleep(1);
                    }
                    assertThat(receiver.getStats().packets()).isEqualTo(whole);
                    for (int i = 0; i < 3; i++) {
                        HeapBase h = receiver.get();
                        assertThat(h).isInstanceOf(Heap.class);
                        assertThat(h.items().getFirst().bytes()).isEqualTo(ItemHeaps.randomBytes(h.cnt(), 5000));
                        got.add(h.cnt());
                    }
                    if (reset) {
                        raw.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
                    }
                }
                assertThat(got).containsExactly(1L, 2L, 3L);
                assertThat(Drain.heaps(receiver)).as("nothing but the incomplete heap is left, and it is dropped")
                        .isEmpty();
                assertThat(receiver.isStopped()).isTrue();
                assertThat(receiver.getStats().incompleteHeapsFlushed()).isEqualTo(1);
                assertThat(receiver.getStats().heaps()).isEqualTo(4);
            }
        });
    }

    @Test
    void garbageIsSkippedAndEndOfFileStopsTheStream() throws Exception {
        int maxSize = 4096;
        byte[] h1 = heaps(1472, 3000, 1);
        byte[] badHeader = "NOTSPEAD".getBytes(java.nio.charset.StandardCharsets.US_ASCII); // skipped 8 bytes at a time
        byte[] h2 = heaps(1472, 3000, 2);
        byte[] oversize = heaps(9000, 6000, 99);                          // one 6048-byte packet > maxSize: skipped
        byte[] h3 = heaps(1472, 3000, 3);
        // a header that claims 65535 item pointers, then a PAYLOAD_LENGTH so large the packet is skipped
        ByteBuffer claims = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        claims.putLong(0x5304_0305_0000_0001L);                           // magic, version, 64-40 flavour, 1 item
        claims.putLong((1L << 63) | (0x0004L << 40) | (1L << 39));         // PAYLOAD_LENGTH = 2^39
        claims.putLong(0);
        byte[] h4 = heaps(1472, 3000, 4);
        byte[] noise = ItemHeaps.randomBytes(42, 100_000);
        byte[] all = concat(h1, badHeader, h2, oversize, h3, h4, claims.array(), noise);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig(), new RingStreamConfig().withHeaps(16))) {
                ServerSocketChannel acceptor = listen();
                InetSocketAddress address = (InetSocketAddress) acceptor.getLocalAddress();
                receiver.addTcpReader(acceptor, maxSize);
                try (SocketChannel raw = SocketChannel.open(address)) {
                    writeAll(raw, all);
                }
                List<HeapBase> heaps = Drain.heaps(receiver);
                assertThat(heaps).extracting(HeapBase::cnt).containsExactly(1L, 2L, 3L, 4L);
                for (HeapBase h : heaps) {
                    assertThat(h.items().getFirst().bytes()).isEqualTo(ItemHeaps.randomBytes(h.cnt(), 3000));
                }
                assertThat(receiver.isStopped()).isTrue();
            }
        });
    }

    @Test
    void anInvalidHeaderSkipsExactlyEightBytes() throws Exception {
        byte[] h1 = heaps(1472, 800, 1);
        byte[] h5 = heaps(1472, 800, 5);                   // one packet of 848 bytes, a multiple of 8
        assertThat(h5.length % 8).isZero();
        byte[] h6 = heaps(1472, 800, 6);
        // 'X' + h5: spead2 skips 8 bytes at the bad header, so it never sees h5's header at offset 1 and keeps
        // stepping by 8 through it; 7 filler bytes bring the stepping back in line with h6
        byte[] all = concat(h1, new byte[] {'X'}, h5, new byte[7], h6);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig())) {
                ServerSocketChannel acceptor = listen();
                InetSocketAddress address = (InetSocketAddress) acceptor.getLocalAddress();
                receiver.addTcpReader(acceptor);
                try (SocketChannel raw = SocketChannel.open(address)) {
                    writeAll(raw, all);
                }
                assertThat(Drain.heaps(receiver)).extracting(HeapBase::cnt).containsExactly(1L, 6L);
            }
        });
    }

    @Test
    void pureNoiseNeitherThrowsNorHangs() throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            for (int seed = 0; seed < 5; seed++) {
                try (Stream receiver = new Stream(POOL, new StreamConfig())) {
                    ServerSocketChannel acceptor = listen();
                    InetSocketAddress address = (InetSocketAddress) acceptor.getLocalAddress();
                    receiver.addTcpReader(acceptor, 100 + seed * 1000);
                    try (SocketChannel raw = SocketChannel.open(address)) {
                        writeAll(raw, ItemHeaps.randomBytes(seed, 300_000));
                    }
                    assertThat(Drain.heaps(receiver)).isEmpty();
                    assertThat(receiver.isStopped()).isTrue();
                }
            }
        });
    }

    @Test
    void tcpStreamAndThePortFormOfTheReader() throws Exception {
        int port;
        try (ServerSocketChannel probe = listen()) {
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        int finalPort = port;
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig(), new RingStreamConfig().withHeaps(16))) {
                receiver.addTcpReader(finalPort, 65536, 0, "127.0.0.1");
                try (TcpStream sender = new TcpStream(POOL, new InetSocketAddress("127.0.0.1", finalPort),
                        io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(8972))) {
                    for (long cnt = 1; cnt <= 5; cnt++) {
                        long sent = sender.sendHeap(new io.spead4j.send.Heap()
                                .addItem(0x1000, ItemHeaps.randomBytes(cnt, 20_000), false), cnt);
                        assertThat(sent).isGreaterThan(20_000);
                    }
                }
                List<HeapBase> heaps = Drain.heaps(receiver);
                assertThat(heaps).extracting(HeapBase::cnt).containsExactly(1L, 2L, 3L, 4L, 5L);
                assertThat(heaps.get(4).items().getFirst().bytes()).isEqualTo(ItemHeaps.randomBytes(5, 20_000));
            }
        });
    }

    @Test
    void aConnectionAcceptedByTheCallerIsRead() throws Exception {
        byte[] data = heaps(1472, 4000, 7, 8);
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Stream receiver = new Stream(POOL, new StreamConfig()); ServerSocketChannel acceptor = listen()) {
                SocketChannel accepted;
                try (SocketChannel raw = SocketChannel.open(acceptor.getLocalAddress())) {
                    accepted = acceptor.accept();
                    accepted.configureBlocking(false); // the reader switches it to blocking mode
                    receiver.addTcpReader(accepted);
                    writeAll(raw, data);
                }
                assertThat(Drain.heaps(receiver)).extracting(HeapBase::cnt).containsExactly(7L, 8L);
                assertThat(accepted.isOpen()).isFalse();
            }
        });
    }

    @Test
    void userStopWhileWaitingForTheConnectionReturnsAndReleasesThePort() throws Exception {
        assertTimeoutPreemptively(LIMIT, () -> {
            ServerSocketChannel acceptor = listen();
            InetSocketAddress address = (InetSocketAddress) acceptor.getLocalAddress();
            Stream receiver = new Stream(POOL, new StreamConfig());
            receiver.addTcpReader(acceptor);
            receiver.stop();
            assertThat(acceptor.isOpen()).isFalse();
            // the socket closes once the blocked accept has been woken: connections are refused from then on
            // (until they are, the loop goes on; if they never are, the time limit fails the test)
            boolean refused = false;
            while (!refused) {
                try {
                    SocketChannel.open(address).close();
                    Thread.sleep(10);
                } catch (ConnectException e) {
                    refused = true;
                }
            }
            assertThat(Drain.heaps(receiver)).isEmpty();
        });
    }

    @Test
    void tcpStreamArguments() throws Exception {
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 9);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new TcpStream(POOL, List.of(a, a), io.spead4j.send.StreamConfig.DEFAULT))
                .withMessageContaining("exactly one");
        // a port held by a socket that is bound but not listening: connections to it are refused, and no other
        // process can take it meanwhile
        try (SocketChannel holder = SocketChannel.open()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress closed = (InetSocketAddress) holder.getLocalAddress();
            assertThatThrownBy(() -> new TcpStream(POOL, closed, io.spead4j.send.StreamConfig.DEFAULT))
                    .isInstanceOf(ConnectException.class);
        }
        Stream receiver = new Stream(POOL, new StreamConfig());
        assertThatIllegalArgumentException().isThrownBy(() -> receiver.addTcpReader(0, 0))
                .withMessageContaining("maxSize");
        receiver.stop();
    }
}
