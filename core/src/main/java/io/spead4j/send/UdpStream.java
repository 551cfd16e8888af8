package io.spead4j.send;

import io.spead4j.ThreadPool;
import io.spead4j.net.EventLoop;
import io.spead4j.net.NativeSockets;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.Sockets;
import io.spead4j.net.UdpBackend;
import io.spead4j.net.UdpSendBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * A send stream over UDP, spead2's {@code send::UdpStream}: each packet is one datagram, sent to the endpoint
 * of its substream ({@code endpoints.get(i)} is substream {@code i}). IPv4 and IPv6, unicast and multicast.
 *
 * <p>UDP gives no delivery guarantee: a receiver that cannot keep up loses packets, so set
 * {@link StreamConfig#rate()}. A packet the socket refuses (e.g. larger than the path allows) fails its heap
 * with that {@link IOException}; later packets are still sent. The socket is closed by {@link #close()}.
 *
 * <p>The constructors that open the socket themselves use, on Linux x86-64/aarch64, a socket driven through
 * {@code java.lang.foreign} that sends up to {@value #SEND_BATCH} packets per {@code sendmmsg} system call,
 * else NIO's {@code DatagramChannel} (one call per packet); the system property {@code spead4j.udp}
 * ({@code auto}, the default, {@code native} or {@code nio}) chooses, read when the socket is opened. The
 * forms that take the caller's {@code DatagramChannel} use NIO. Where the kernel offers UDP segmentation
 * offload ({@code UDP_SEGMENT}), the native path hands runs of equal-sized packets to one endpoint to the
 * kernel as one message, as spead2 does; the system property {@code spead4j.udp.noGso=true} turns that off.
 *
 * <p>On the native path the stream's writer runs on an event loop of its {@link ThreadPool} (where the pool
 * has them), shared with other readers and writers: a full socket buffer ({@code EAGAIN}) makes it wait for
 * the socket to become writable ({@code EPOLLOUT}) with the batch half sent, serving the loop's other sockets
 * meanwhile, and go on from there; a refused GSO message and the rest of its call are resent without GSO
 * in the same way. Otherwise the writer takes a thread of the pool.
 *
 * <p>The constructors that open the socket themselves check every argument first and open it last, so a
 * constructor that throws leaves no socket open. The constructors that take the caller's socket take it
 * over only when they return: if they throw, the socket is left open and is still the caller's to close.
 */
public final class UdpStream extends Stream {
    private static final Logger LOG = LoggerFactory.getLogger(UdpStream.class);
    /** spead2's default socket send buffer size (512 KiB). */
    public static final int DEFAULT_BUFFER_SIZE = 512 * 1024;

    /** Most packets per {@code sendmmsg} (spead2's batch). */
    static final int SEND_BATCH = 64;
    /** System property that, if {@code true}, keeps the native path from using segmentation offload. */
    static final String NO_GSO_PROPERTY = "spead4j.udp.noGso";

    /** The NIO socket, or null when {@link #socket} is used. */
    private final DatagramChannel channel;
    /** The native socket, or null when {@link #channel} is used. */
    private final NativeUdpSocket socket;
    /** The native socket's reusable sendmmsg description (null for NIO). */
    private final UdpSendBatch datagrams;
    /** Whether runs of equal-sized packets go as GSO messages; written by the writer (off after a failure). */
    private volatile boolean gso;
    private final InetSocketAddress[] endpoints;
    // Loop mode, loop thread only: where a half-sent batch stands, and the wait for writability.
    private boolean chunkOpen;
    /** Loop mode: whether the open chunk is a resend without GSO after a refused GSO message. */
    private boolean probingWithoutGso;
    private int chunkFirst;
    private int chunkNext;
    private int chunkSentTo;
    private int batchNext;
    private EventLoop.Registration writable;
    private final EventLoop.Handler onWritable = new EventLoop.Handler() {
        @Override
        public void ready(int events) {
            stopWaitingForWritable();
            resumeWriter();
        }

        @Override
        public void loopEnded() {
            stopWaitingForWritable();
            writerLoopEnded(); // nothing will wake the writer again: fail what it holds
        }
    };

    /** Opens the stream's NIO socket: run by the constructor after every argument has been checked. */
    @FunctionalInterface
    private interface SocketOpener {
        DatagramChannel open() throws IOException;
    }

    /** Opens the stream's native socket: run by the constructor after every argument has been checked. */
    @FunctionalInterface
    private interface NativeOpener {
        NativeUdpSocket open() throws IOException;
    }

    /**
     * Creates a stream with the default buffer size.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints one destination per substream, all IPv4 or all IPv6
     * @param config the configuration
     * @throws IOException if the socket cannot be opened
     */
    public UdpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config)
            throws IOException {
        this(threadPool, endpoints, config, DEFAULT_BUFFER_SIZE, (InetAddress) null);
    }

    /**
     * Creates a stream.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints one destination per substream, all IPv4 or all IPv6
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: system default; a warning is logged if less is granted)
     * @throws IOException if the socket cannot be opened
     */
    public UdpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config, int bufferSize)
            throws IOException {
        this(threadPool, endpoints, config, bufferSize, (InetAddress) null);
    }

    /**
     * Creates a stream whose socket is bound to a local interface address (spead2's
     * {@code interface_address}).
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints one destination per substream, all IPv4 or all IPv6
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: system default)
     * @param interfaceAddress local address to send from, or null / the wildcard address for any
     * @throws IOException if the socket cannot be opened or bound
     * @throws IllegalArgumentException if endpoints are empty or mixed, or the address is of the other family
     */
    public UdpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config, int bufferSize,
                     InetAddress interfaceAddress) throws IOException {
        this(threadPool, endpoints, config,
                () -> Sockets.openUdpSender(Sockets.endpointFamily(endpoints), interfaceAddress, bufferSize),
                () -> NativeSockets.openUdpSender(Sockets.endpointFamily(endpoints), interfaceAddress, bufferSize));
    }

    /**
     * Creates a stream to multicast groups with a TTL (hop limit); the system picks the interface.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints multicast groups, one per substream, all of one family
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: system default)
     * @param ttl multicast TTL / hop limit, 0 to 255
     * @throws IOException if the socket cannot be opened
     * @throws IllegalArgumentException if an endpoint is not multicast
     */
    public UdpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config, int bufferSize,
                     int ttl) throws IOException {
        this(threadPool, endpoints, config, () -> Sockets.openUdpMulticastSender(endpoints, ttl, null, bufferSize),
                () -> NativeSockets.openUdpMulticastSender(endpoints, ttl, null, bufferSize));
    }

    /**
     * Creates a stream to IPv4 multicast groups with a TTL, sent out of the interface that has
     * {@code interfaceAddress}.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints IPv4 multicast groups, one per substream
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: system default)
     * @param ttl multicast TTL, 0 to 255
     * @param interfaceAddress IPv4 address of the outgoing interface, or null / 0.0.0.0 for the system's choice
     * @throws IOException if the socket cannot be opened or no interface has that address
     * @throws IllegalArgumentException if an endpoint is not an IPv4 multicast address
     */
    public UdpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config, int bufferSize,
                     int ttl, InetAddress interfaceAddress) throws IOException {
        this(threadPool, endpoints, config, () -> Sockets.openUdpMulticastSender(endpoints, ttl,
                        v4MulticastInterface(endpoints, interfaceAddress), bufferSize),
                () -> NativeSockets.openUdpMulticastSender(endpoints, ttl,
                        v4MulticastInterface(endpoints, interfaceAddress), bufferSize));
    }

    /**
     * Creates a stream to IPv6 multicast groups with a hop limit, sent out of an interface given by index.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints IPv6 multicast groups, one per substream
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: system default)
     * @param ttl hop limit, 0 to 255
     * @param interfaceIndex index of the outgoing interface (0: the system's choice)
     * @throws IOException if the socket cannot be opened or there is no such interface
     * @throws IllegalArgumentException if an endpoint is not an IPv6 multicast address
     */
    public UdpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config, int bufferSize,
                     int ttl, int interfaceIndex) throws IOException {
        this(threadPool, endpoints, config, () -> Sockets.openUdpMulticastSender(endpoints, ttl,
                        v6MulticastInterface(endpoints, interfaceIndex), bufferSize),
                () -> NativeSockets.openUdpMulticastSender(endpoints, ttl,
                        v6MulticastInterface(endpoints, interfaceIndex), bufferSize));
    }

    /**
     * Creates a stream on a socket the caller opened (spead2's socket form). The stream owns the socket from
     * now on and closes it in {@link #close()}; its buffer size is left as it is.
     *
     * @param threadPool pool providing the writer thread
     * @param channel the socket, of the endpoints' family; blocking mode is best (a non-blocking socket whose
     *     buffer is full is retried after a short pause)
     * @param endpoints one destination per substream
     * @param config the configuration
     * @throws IllegalArgumentException if endpoints are empty, unresolved or mixed (the socket is then left
     *     open: it becomes the stream's only when the constructor returns)
     */
    public UdpStream(ThreadPool threadPool, DatagramChannel channel, List<InetSocketAddress> endpoints,
                     StreamConfig config) {
        this(threadPool, channel, endpoints, config, 0);
    }

    /**
     * Creates a stream on a socket the caller opened, setting its send buffer size.
     *
     * @param threadPool pool providing the writer thread
     * @param channel the socket; the stream owns it once the constructor returns
     * @param endpoints one destination per substream
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: leave it)
     * @throws IllegalArgumentException if endpoints are empty, unresolved or mixed, or {@code bufferSize < 0}
     *     (the socket is then left open, still the caller's)
     */
    public UdpStream(ThreadPool threadPool, DatagramChannel channel, List<InetSocketAddress> endpoints,
                     StreamConfig config, int bufferSize) {
        super(threadPool, config, checkedSize(endpoints));
        Sockets.checkBufferSize(bufferSize);
        this.channel = Objects.requireNonNull(channel, "channel");
        this.socket = null;
        this.datagrams = null;
        this.endpoints = endpoints.toArray(new InetSocketAddress[0]);
        Sockets.setSendBufferSize(channel, bufferSize);
    }

    /**
     * The constructor of the forms that open their own socket: checks every argument (the base class checks
     * the pool and the configuration), then opens the socket last, so that a failure leaves nothing open
     * (each opener closes its socket if configuring it fails).
     */
    private UdpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config,
                      SocketOpener opener, NativeOpener nativeOpener) throws IOException {
        super(threadPool, config, checkedSize(endpoints));
        this.endpoints = endpoints.toArray(new InetSocketAddress[0]);
        if (UdpBackend.useNative()) {
            NativeUdpSocket opened = nativeOpener.open();
            try {
                this.datagrams = new UdpSendBatch(SEND_BATCH, PacketBatch.MAX_PIECES, endpoints, opened.isIpv6());
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            this.socket = opened;
            this.channel = null;
            this.gso = !Boolean.getBoolean(NO_GSO_PROPERTY) && opened.probeGso();
            if (threadPool.nextEventLoop() instanceof EventLoop loop) {
                runWriterOn(loop);
            }
        } else {
            this.channel = opener.open();
            this.socket = null;
            this.datagrams = null;
        }
    }

    private static int checkedSize(List<InetSocketAddress> endpoints) {
        Sockets.endpointFamily(endpoints);
        return endpoints.size();
    }

    private static java.net.NetworkInterface v4MulticastInterface(List<InetSocketAddress> endpoints,
                                                                  InetAddress interfaceAddress) throws IOException {
        ProtocolFamily family = Sockets.endpointFamily(endpoints);
        if (!(endpoints.get(0).getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("endpoint " + endpoints.get(0) + " is not an IPv4 multicast address");
        }
        if (interfaceAddress != null && !(interfaceAddress instanceof Inet4Address)) {
            throw new IllegalArgumentException("interface address is not an IPv4 address");
        }
        return interfaceAddress == null || interfaceAddress.isAnyLocalAddress()
                ? null : Sockets.interfaceOf(interfaceAddress, family);
    }

    private static java.net.NetworkInterface v6MulticastInterface(List<InetSocketAddress> endpoints,
                                                                  int interfaceIndex) throws IOException {
        Sockets.endpointFamily(endpoints);
        if (!(endpoints.get(0).getAddress() instanceof Inet6Address)) {
            throw new IllegalArgumentException("endpoint " + endpoints.get(0) + " is not an IPv6 multicast address");
        }
        return interfaceIndex == 0 ? null : Sockets.interfaceOf(interfaceIndex);
    }

    /**
     * The NIO socket, for its local address (do not send on it); null when the stream uses a native socket
     * (see the class comment): {@link #localAddress()} serves both.
     *
     * @return the channel, or null
     */
    public DatagramChannel channel() {
        return channel;
    }

    /**
     * The local address the stream sends from.
     *
     * @return the address
     * @throws IOException if the socket is closed
     */
    public InetSocketAddress localAddress() throws IOException {
        if (socket != null) {
            return socket.localAddress();
        }
        if (channel.getLocalAddress() instanceof InetSocketAddress address) {
            return address;
        }
        throw new IOException("the socket is not bound");
    }

    @Override
    protected void writePackets(PacketBatch batch) {
        if (socket != null) {
            writeNative(batch);
            return;
        }
        ByteBuffer view = batch.buffer();
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            int offset = batch.offset(i);
            view.limit(offset + batch.length(i)).position(offset);
            InetSocketAddress target = endpoints[batch.substreamIndex(i)];
            try {
                while (channel.send(view, target) == 0) {
                    LockSupport.parkNanos(20_000); // a non-blocking socket with a full buffer
                }
            } catch (ClosedChannelException e) {
                for (int j = i; j < n; j++) {
                    batch.fail(j, e);
                }
                return;
            } catch (IOException e) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("UDP send of {} bytes to {} failed", batch.length(i), target, e);
                }
                batch.fail(i, e);
            }
        }
    }

    /**
     * Sends the batch with one {@code sendmmsg} per {@value #SEND_BATCH} packets, runs of equal-sized packets
     * to one endpoint merged by segmentation offload (GSO) where the socket offers it. A packet the kernel
     * refuses (e.g. too large) fails its heap and the others are still sent, as spead2 does; a closed socket
     * fails every packet not yet sent. As in spead2, when a merged message is refused, that packet and every
     * later one of the call are sent again without GSO, in order; if that works GSO stays off for this stream
     * (a device that cannot segment), if not the error was not GSO's and GSO stays on.
     */
    private void writeNative(PacketBatch batch) {
        int n = batch.size();
        MemorySegment memory = batch.segment();
        int next = 0;
        while (next < n) {
            int first = next;
            next = Math.min(n, first + SEND_BATCH);
            try {
                sendRange(batch, memory, first, next, gso);
            } catch (ClosedChannelException e) {
                for (int j = first; j < n; j++) {
                    batch.fail(j, e);
                }
                return;
            } catch (IOException e) {
                for (int j = first; j < next; j++) {
                    batch.fail(j, e);
                }
            }
        }
    }

    /**
     * Loop mode: sends the batch as {@link #writeNative} does, but never waits: when the socket buffer is
     * full it registers for writability and returns false, keeping its place (the chunk of up to
     * {@value #SEND_BATCH} packets and the message reached) for the next call.
     */
    @Override
    boolean writePacketsReady(PacketBatch batch) {
        if (socket == null) {
            return super.writePacketsReady(batch);
        }
        boolean returned = false;
        try {
            boolean done = sendReady(batch);
            returned = true;
            return done;
        } finally {
            if (!returned) {
                // a runtime exception ends the batch (the stream fails what is left): start the next afresh
                chunkOpen = false;
                batchNext = 0;
            }
        }
    }

    private boolean sendReady(PacketBatch batch) {
        int n = batch.size();
        MemorySegment memory = batch.segment();
        while (true) {
            if (!chunkOpen) {
                if (batchNext >= n) {
                    batchNext = 0;
                    return true;
                }
                openChunk(batch, memory, batchNext, Math.min(n, batchNext + SEND_BATCH), gso);
            }
            try {
                chunkSentTo = socket.sendReady(datagrams, chunkSentTo);
                if (chunkSentTo < datagrams.messageCount()) {
                    waitForWritable();
                    return false;
                }
                int stop = datagrams.stoppedAt();
                failRefused(batch, chunkFirst, stop < 0 ? chunkNext - chunkFirst : stop);
                if (stop >= 0) {
                    // as spead2: the refused GSO message and the rest of the chunk again, without GSO, in order
                    openChunk(batch, memory, chunkFirst + stop, chunkNext, false);
                    probingWithoutGso = true;
                    continue;
                }
                if (probingWithoutGso) {
                    probingWithoutGso = false;
                    gsoProbed();
                }
                chunkOpen = false;
                batchNext = chunkNext;
            } catch (ClosedChannelException e) {
                for (int j = chunkFirst; j < n; j++) {
                    batch.fail(j, e);
                }
                chunkOpen = false;
                probingWithoutGso = false;
                batchNext = 0;
                return true;
            } catch (IOException e) {
                for (int j = chunkFirst; j < chunkNext; j++) {
                    batch.fail(j, e);
                }
                chunkOpen = false;
                probingWithoutGso = false;
                batchNext = chunkNext;
            }
        }
    }

    /** Registers the socket for writability with the writer's loop (loop thread). */
    private void waitForWritable() throws IOException {
        if (writable != null) {
            return;
        }
        int fd = socket.acquireDescriptor();
        try {
            writable = writerLoop().register(fd, EventLoop.WRITABLE, onWritable);
        } catch (IOException | RuntimeException e) {
            socket.releaseDescriptor();
            throw e;
        }
    }

    private void stopWaitingForWritable() {
        if (writable != null) {
            writable.cancel();
            writable = null;
            socket.releaseDescriptor();
        }
    }

    /** Loop mode: makes packets {@code [from, to)} the chunk being sent. */
    private void openChunk(PacketBatch batch, MemorySegment memory, int from, int to, boolean withGso) {
        chunkFirst = from;
        datagrams.clear();
        datagrams.setGso(withGso);
        for (int p = from; p < to; p++) {
            addDatagram(batch, memory, p);
        }
        chunkNext = to;
        chunkSentTo = 0;
        chunkOpen = true;
    }

    /** Fails those of the first {@code count} datagrams (packets from {@code first} on) the kernel refused. */
    private void failRefused(PacketBatch batch, int first, int count) {
        if (!datagrams.anyFailed()) {
            return; // the usual case: no need to look at each datagram
        }
        for (int j = 0; j < count; j++) {
            int errno = datagrams.errno(j);
            if (errno != 0) {
                fail(batch, first + j, errno);
            }
        }
    }

    /** After a resend without GSO: if its first datagram (the one refused with GSO) went, GSO goes off. */
    private void gsoProbed() {
        if (datagrams.size() > 0 && datagrams.errno(0) == 0 && gso) {
            LOG.debug("disabling GSO: sending with it failed and without it succeeded");
            gso = false;
        }
    }

    /** Sends packets {@code [from, to)} in one {@code sendmmsg} (or two, after a refused GSO message). */
    private void sendRange(PacketBatch batch, MemorySegment memory, int from, int to, boolean withGso)
            throws IOException {
        datagrams.clear();
        datagrams.setGso(withGso);
        for (int p = from; p < to; p++) {
            addDatagram(batch, memory, p);
        }
        socket.sendBatch(datagrams, withGso);
        int stop = datagrams.stoppedAt();
        failRefused(batch, from, stop < 0 ? to - from : stop);
        if (stop >= 0) {
            sendRange(batch, memory, from + stop, to, false);
            gsoProbed();
        }
    }

    /** Adds packet {@code p} to {@link #datagrams}: gathered from its pieces, or whole from the batch memory. */
    private void addDatagram(PacketBatch batch, MemorySegment memory, int p) {
        if (batch.pieces(p) > 0) {
            datagrams.addGathered(batch.pieceAddresses(), batch.pieceLengths(), batch.firstPiece(p), batch.pieces(p),
                    batch.substreamIndex(p));
        } else {
            datagrams.add(memory, batch.offset(p), batch.length(p), batch.substreamIndex(p));
        }
    }

    /** The native socket takes scatter-gather lists, so payload is sent from the heap's memory uncopied. */
    @Override
    boolean gathersPayload() {
        return socket != null;
    }

    private void fail(PacketBatch batch, int packet, int errno) {
        IOException e = NativeUdpSocket.errorFor("sendmmsg of " + batch.length(packet) + " bytes to "
                + endpoints[batch.substreamIndex(packet)], errno);
        LOG.debug("UDP send failed", e);
        batch.fail(packet, e);
    }

    /** {@return the native socket, or null on the NIO path (for tests)} */
    NativeUdpSocket nativeSocket() {
        return socket;
    }

    /** {@return whether the stream still merges packets with segmentation offload (for tests)} */
    boolean gsoActive() {
        return gso;
    }

    /** Flushes and stops the writer (see {@link Stream#close()}), then closes the socket. */
    @Override
    public void close() {
        closeAndRelease(socket != null ? socket : channel);
    }
}
