package io.spead4j.transport;

import io.spead4j.Flavour;
import io.spead4j.InprocQueue;
import io.spead4j.ItemGroup;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.recv.StreamStats;
import io.spead4j.send.BytesStream;
import io.spead4j.send.GroupMode;
import io.spead4j.send.HeapReference;
import io.spead4j.send.InprocStream;
import io.spead4j.send.TcpStream;
import io.spead4j.send.UdpStream;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream.Builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * spead2's {@code test_passthrough.py} for spead4j: the same item groups (scalars, a big array spanning many
 * packets, Fortran order, complex, booleans, a string, a 40-bit immediate) are sent as one group of heaps
 * over every transport, with several substreams where the transport has them and in both group modes, and
 * the values an {@link ItemGroup} decodes on the receive side must equal the values sent. Loopback only.
 */
class PassthroughTest {
    private static final int HEAPS = 3;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /**
     * UDP socket receive buffers asked for: enough to hold all of a test's data, so a stalled receiver (busy
     * CI) loses nothing on loopback. The system may grant less; a UDP case checks what it grants first.
     */
    private static final int RECV_BUFFER = 4 << 20;
    /**
     * What a queued datagram costs in a socket receive buffer, per byte of datagram, at most: Linux charges a
     * 1472-byte datagram about 2304 bytes of buffer (its kernel buffer's true size).
     */
    private static final int BUFFER_COST_PER_BYTE = 2;
    private static final ThreadPool POOL = TestPools.shared();

    /** One way of moving heaps: attach readers to a receive stream, open the matching sender. */
    private interface Transport {
        /** @return the sender, after readers are attached (sockets bound) */
        io.spead4j.send.Stream attach(Stream receiver, io.spead4j.send.StreamConfig config) throws IOException;

        /** @return destinations of the sender, each one substream */
        int substreams();

        /** @return false for UDP: the test then stops the receiver itself */
        default boolean reliable() {
            return true;
        }

        /** Ends the stream from the sending side, for reliable transports. */
        default void end(Stream receiver, io.spead4j.send.Stream sender, Flavour flavour) throws IOException {
            sender.sendHeap(new io.spead4j.send.Heap(flavour).addEnd());
        }

        /** @return send configuration for this transport */
        default io.spead4j.send.StreamConfig sendConfig() {
            return io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(9000);
        }
    }

    static java.util.stream.Stream<Arguments> transports() {
        Builder<Arguments> out = java.util.stream.Stream.builder();
        for (String name : List.of("inproc", "bytes", "tcp 127.0.0.1", "tcp ::1", "udp 127.0.0.1", "udp ::1",
                "udp multicast 239.255.0.0/16 on lo", "udp multicast ff15::")) {
            for (GroupMode mode : GroupMode.values()) {
                if (name.startsWith("udp")) {
                    for (UdpPath path : UdpPath.values()) {
                        out.add(Arguments.of(name + " (" + path.name().toLowerCase(java.util.Locale.ROOT) + ")", mode));
                    }
                } else {
                    out.add(Arguments.of(name, mode));
                }
            }
        }
        return out.build();
    }

    private static Transport transport(String name) throws IOException {
        return switch (name) {
            case "inproc" -> inproc();
            case "bytes" -> bytes();
            case "tcp 127.0.0.1" -> tcp(InetAddress.getByName("127.0.0.1"));
            case "tcp ::1" -> tcp(InetAddress.getByName("::1"));
            case "udp 127.0.0.1" -> udp(InetAddress.getByName("127.0.0.1"), 3);
            case "udp ::1" -> udp(InetAddress.getByName("::1"), 2);
            case "udp multicast 239.255.0.0/16 on lo" -> multicast4();
            case "udp multicast ff15::" -> multicast6();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("transports")
    void itemGroupsSurviveTheTransport(String name, GroupMode mode) throws Exception {
        // UDP runs over each socket path: "udp ... (nio)" and "udp ... (native)"
        UdpPath path = null;
        String base = name;
        for (UdpPath p : UdpPath.values()) {
            String suffix = " (" + p.name().toLowerCase(java.util.Locale.ROOT) + ")";
            if (name.endsWith(suffix)) {
                path = p;
                base = name.substring(0, name.length() - suffix.length());
            }
        }
        UdpPath.Selection selection = path == null ? () -> { } : path.select();
        try {
            Transport transport = transport(base);
            assertTimeoutPreemptively(LIMIT, () -> run(transport, mode, name.startsWith("tcp") ? new Flavour(48, 0)
                    : Flavour.DEFAULT));
        } finally {
            selection.close();
        }
    }

    private static void run(Transport transport, GroupMode mode, Flavour flavour) throws Exception {
        StreamConfig recvConfig = new StreamConfig().withMaxHeaps(8);
        List<ItemGroup> sent = new ArrayList<>();
        List<HeapReference> refs = new ArrayList<>();
        for (int i = 0; i < HEAPS; i++) {
            ItemGroup g = ItemHeaps.sample(i);
            sent.add(g);
            refs.add(new HeapReference(ItemHeaps.heapOf(g, flavour), -1, i % transport.substreams()));
        }
        if (!transport.reliable()) {
            requireLosslessBuffers(refs, transport.sendConfig());
        }
        try (Stream receiver = new Stream(POOL, recvConfig, new RingStreamConfig().withHeaps(HEAPS + 4));
             io.spead4j.send.Stream sender = transport.attach(receiver, transport.sendConfig())) {
            long bytes = sender.sendHeaps(refs, mode);
            assertThat(bytes).isGreaterThan((long) HEAPS * ItemHeaps.BIG * 2);
            if (transport instanceof BytesTransport b) {
                transport.end(receiver, sender, flavour);
                receiver.addBufferReader(b.stream.getValue());
            }
            ItemGroup received = new ItemGroup();
            List<Long> cnts = new ArrayList<>();
            for (int i = 0; i < HEAPS; i++) {
                HeapBase h;
                try {
                    h = receiver.getAsync().get(30, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("only " + i + " of " + HEAPS + " heaps arrived (lost packets?); "
                            + receiver.getStats(), e);
                }
                assertThat(h).as("heap %d must arrive complete", h.cnt()).isInstanceOf(Heap.class);
                received.update((Heap) h);
                cnts.add(h.cnt());
                int variant = (int) (h.cnt() - 1);
                Map<String, Object> expected = ItemHeaps.values(sent.get(variant));
                Map<String, Object> actual = ItemHeaps.values(received);
                assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
                for (String item : expected.keySet()) {
                    assertThat(actual.get(item)).as("item %s of heap %d", item, h.cnt())
                            .isEqualTo(expected.get(item));
                }
                assertThat(received.failures()).isZero();
            }
            assertThat(cnts).containsExactlyInAnyOrder(1L, 2L, 3L);
            if (transport.reliable()) {
                if (!(transport instanceof BytesTransport)) {
                    transport.end(receiver, sender, flavour);
                }
                Iterator<HeapBase> rest = receiver.iterator();
                assertThat(rest.hasNext()).as("the stream ends after the data").isFalse();
            } else {
                receiver.stop();
            }
            StreamStats stats = receiver.getStats();
            assertThat(stats.incompleteHeapsEvicted()).isZero();
            assertThat(stats.incompleteHeapsFlushed()).isZero();
        }
    }

    /**
     * UDP on loopback loses a datagram only when the receiving socket's buffer is full; so a UDP case runs only
     * if one socket buffer can hold every datagram of the test (then nothing can be lost, however late the
     * reader runs). The size granted for {@link #RECV_BUFFER} is read back from a socket that asks for it, as
     * the readers do; a machine that grants less (net.core.rmem_max) skips the case and says so.
     */
    private static void requireLosslessBuffers(List<HeapReference> refs, io.spead4j.send.StreamConfig config) throws IOException {
        long wire;
        try (BytesStream bytes = new BytesStream(POOL, config)) {
            for (HeapReference ref : refs) {
                bytes.sendHeap(ref.heap());
            }
            wire = bytes.getValue().length;
        }
        int granted;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_RCVBUF, RECV_BUFFER);
            granted = probe.getOption(StandardSocketOptions.SO_RCVBUF);
        }
        long needed = BUFFER_COST_PER_BYTE * wire;
        Assumptions.assumeTrue(granted >= needed, () -> "this machine grants a UDP socket only " + granted
                + " bytes of receive buffer when asked for " + RECV_BUFFER + " (net.core.rmem_max), less than the "
                + needed + " that hold the test's " + wire + " bytes of datagrams: loopback could lose some");
    }

    // ------------------------------------------------------------------------------------------ transports

    private static Transport inproc() {
        return new Transport() {
            @Override
            public io.spead4j.send.Stream attach(Stream receiver, io.spead4j.send.StreamConfig config) {
                List<InprocQueue> queues = List.of(new InprocQueue(), new InprocQueue(), new InprocQueue());
                for (InprocQueue q : queues) {
                    receiver.addInprocReader(q);
                }
                return new InprocStream(POOL, queues, config);
            }

            @Override
            public int substreams() {
                return 3;
            }
        };
    }

    private static final class BytesTransport implements Transport {
        BytesStream stream;

        @Override
        public io.spead4j.send.Stream attach(Stream receiver, io.spead4j.send.StreamConfig config) {
            stream = new BytesStream(POOL, config);
            return stream;
        }

        @Override
        public int substreams() {
            return 1;
        }
    }

    private static Transport bytes() {
        return new BytesTransport();
    }

    private static Transport tcp(InetAddress loopback) {
        return new Transport() {
            @Override
            public io.spead4j.send.Stream attach(Stream receiver, io.spead4j.send.StreamConfig config)
                    throws IOException {
                ServerSocketChannel acceptor = ServerSocketChannel.open();
                acceptor.bind(new InetSocketAddress(loopback, 0));
                InetSocketAddress address = (InetSocketAddress) acceptor.getLocalAddress();
                receiver.addTcpReader(acceptor);
                return new TcpStream(POOL, List.of(address), config, TcpStream.DEFAULT_BUFFER_SIZE, null);
            }

            @Override
            public int substreams() {
                return 1;
            }

            @Override
            public void end(Stream receiver, io.spead4j.send.Stream sender, Flavour flavour) {
                sender.close(); // end of file stops the receiver
            }
        };
    }

    /** UDP send configuration: datagrams fit any loopback MTU; a rate the receiver keeps up with. */
    private static io.spead4j.send.StreamConfig udpConfig() {
        return io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(1472).withRate(50e6);
    }

    private abstract static class UdpTransport implements Transport {
        @Override
        public boolean reliable() {
            return false;
        }

        @Override
        public io.spead4j.send.StreamConfig sendConfig() {
            return udpConfig();
        }
    }

    private static Transport udp(InetAddress loopback, int substreams) {
        return new UdpTransport() {
            @Override
            public io.spead4j.send.Stream attach(Stream receiver, io.spead4j.send.StreamConfig config)
                    throws IOException {
                List<InetSocketAddress> endpoints = new ArrayList<>();
                // substream 0 through the port form (bind host name, port 0: the system picks one), the others
                // through channels
                receiver.addUdpReader(0, 9200, RECV_BUFFER, loopback.getHostAddress());
                endpoints.add(receiver.localAddresses().getLast());
                for (int i = 1; i < substreams; i++) {
                    DatagramChannel ch = DatagramChannel.open();
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, RECV_BUFFER);
                    ch.bind(new InetSocketAddress(loopback, 0));
                    endpoints.add((InetSocketAddress) ch.getLocalAddress());
                    receiver.addUdpReader(ch, 9200);
                }
                return new UdpStream(POOL, endpoints, config, UdpStream.DEFAULT_BUFFER_SIZE);
            }

            @Override
            public int substreams() {
                return substreams;
            }
        };
    }

    private static Transport multicast4() throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        List<InetAddress> groups = List.of(InetAddress.getByName("239.255.201.17"),
                InetAddress.getByName("239.255.201.18"));
        NetworkInterface ni = NetworkInterface.getByInetAddress(lo);
        String missing = LoopbackMulticast.missing(ni, lo, StandardProtocolFamily.INET);
        Assumptions.assumeTrue(missing == null, () -> "this machine cannot carry IPv4 multicast on its loopback "
                + "interface: " + missing);
        LoopbackMulticast.requireWorking(groups.get(0), ni, StandardProtocolFamily.INET);
        return new UdpTransport() {
            @Override
            public io.spead4j.send.Stream attach(Stream receiver, io.spead4j.send.StreamConfig config)
                    throws IOException {
                List<InetSocketAddress> endpoints = new ArrayList<>();
                for (InetAddress group : groups) {
                    receiver.addUdpReader(group, 0, 9200, RECV_BUFFER, lo);
                    int port = receiver.localAddresses().getLast().getPort();
                    endpoints.add(new InetSocketAddress(group, port));
                }
                return new UdpStream(POOL, endpoints, config, UdpStream.DEFAULT_BUFFER_SIZE, 0, lo);
            }

            @Override
            public int substreams() {
                return groups.size();
            }
        };
    }

    /**
     * IPv6 multicast: on {@code lo} where it can carry it; otherwise (Linux's {@code lo} has no MULTICAST flag by
     * default) on the link of a host in a network namespace of its own ({@link NetnsHosts}), whose sockets are
     * opened by the test's thread from inside that namespace. Hop limit 0 either way: nothing leaves the
     * machine, the kernel loops the datagrams back to the joined sockets. Skipped only where neither works:
     * {@code lo} lacks the flag and the machine cannot make namespaces (not root, for instance).
     */
    private static Transport multicast6() throws IOException {
        InetAddress loopback = InetAddress.getByName("::1");
        NetworkInterface lo = NetworkInterface.getByInetAddress(loopback);
        List<InetAddress> groups = List.of(InetAddress.getByName("ff15::5ead:1"), InetAddress.getByName("ff15::5ead:2"));
        String missing = LoopbackMulticast.missing(lo, loopback, StandardProtocolFamily.INET6);
        if (missing != null) {
            return multicast6InNamespace(groups, missing);
        }
        LoopbackMulticast.requireWorking(groups.get(0), lo, StandardProtocolFamily.INET6);
        return multicast6(groups, lo.getIndex(), action -> action.run());
    }

    /** The namespace host for IPv6 multicast, made on first use and removed after the class. */
    private static NetnsHosts ipv6Host;

    private static synchronized Transport multicast6InNamespace(List<InetAddress> groups, String loMissing)
            throws IOException {
        if (ipv6Host == null) {
            try {
                ipv6Host = NetnsHosts.create(1);
            } catch (org.opentest4j.TestAbortedException e) {
                throw new org.opentest4j.TestAbortedException("IPv6 multicast cannot run on lo (" + loMissing
                        + ") nor in a network namespace (" + e.getMessage() + ")", e);
            }
        }
        NetnsHosts hosts = ipv6Host;
        NetnsHosts.Host host = hosts.hosts().getFirst();
        int index;
        try {
            index = hosts.inside(host, () -> {
                NetworkInterface link = NetworkInterface.getByName("eth0");
                LoopbackMulticast.requireWorking(groups.get(0), link, StandardProtocolFamily.INET6);
                return link.getIndex();
            });
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        return multicast6(groups, index, action -> hosts.inside(host, action));
    }

    @org.junit.jupiter.api.AfterAll
    static synchronized void removeIpv6Host() throws IOException {
        if (ipv6Host != null) {
            ipv6Host.close();
            ipv6Host = null;
        }
    }

    /** Where a transport opens its sockets: directly, or inside a namespace host. */
    private interface SocketPlace {
        io.spead4j.send.Stream open(NetnsHosts.NamespaceAction<io.spead4j.send.Stream> action) throws Exception;
    }

    private static Transport multicast6(List<InetAddress> groups, int interfaceIndex, SocketPlace place) {
        return new UdpTransport() {
            @Override
            public io.spead4j.send.Stream attach(Stream receiver, io.spead4j.send.StreamConfig config)
                    throws IOException {
                try {
                    return place.open(() -> {
                        List<InetSocketAddress> endpoints = new ArrayList<>();
                        for (InetAddress group : groups) {
                            receiver.addUdpReader(group, 0, 9200, RECV_BUFFER, interfaceIndex);
                            int port = receiver.localAddresses().getLast().getPort();
                            endpoints.add(new InetSocketAddress(group, port));
                        }
                        return new UdpStream(POOL, endpoints, config, UdpStream.DEFAULT_BUFFER_SIZE, 0,
                                interfaceIndex);
                    });
                } catch (IOException | RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }

            @Override
            public int substreams() {
                return groups.size();
            }
        };
    }
}
