package io.spead4j.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A UDP socket driven directly through the Linux C library ({@code java.lang.foreign} downcalls, no JNI):
 * one {@code recvmmsg} takes a whole batch of datagrams ({@link #receiveBatch}) and one {@code sendmmsg}
 * sends one ({@link #sendBatch}), where {@link java.nio.channels.DatagramChannel} needs a system call per
 * datagram. Linux on x86-64 and aarch64 only: elsewhere {@link #isSupported()} is false (with
 * {@link #unsupportedReason()}) and callers use the NIO path. Not part of the public API.
 *
 * <p>The socket is non-blocking; waiting is {@code poll} with a timeout. {@link #close()} may be called from
 * any thread: it wakes a thread waiting in a receive or send, which then throws
 * {@link AsynchronousCloseException}, and the descriptor is released once no call uses it any more (so a
 * closed descriptor number is never used by a late call). Errors: {@code EINTR} is retried, {@code EAGAIN}
 * waits for readiness, a datagram the kernel refuses on send (e.g. {@code EMSGSIZE}, {@code ENOBUFS}) is
 * marked failed in the batch and the rest are still sent (as spead2 does), and any other failure is an
 * {@link IOException} naming the call and the error. One thread may receive while another sends; the
 * option setters are safe from any thread.
 */
public final class NativeUdpSocket implements Channel {
    private static final Logger LOG = LoggerFactory.getLogger(NativeUdpSocket.class);
    private static final int CLOSED = 1 << 30;
    /** Longest single poll: a close also wakes the poll, this only bounds a missed wake-up. */
    private static final int POLL_SLICE_MILLIS = 200;

    private final int fd;
    private final boolean ipv6;
    private final Arena arena = Arena.ofShared();
    /** In-flight calls, plus {@link #CLOSED} once closed. */
    private final AtomicInteger state = new AtomicInteger();
    private final MemorySegment receiveCapture;
    private final MemorySegment receivePoll;
    private final MemorySegment sendCapture;
    private final MemorySegment sendPoll;
    /** Guards the option scratch memory below. */
    private final Object optionLock = new Object();
    private final MemorySegment optionCapture;
    private final MemorySegment optionValue;
    private final MemorySegment optionLength;
    private volatile boolean groEnabled;

    private NativeUdpSocket(int fd, boolean ipv6) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.receiveCapture = arena.allocate(Libc.CAPTURE_LAYOUT);
        this.sendCapture = arena.allocate(Libc.CAPTURE_LAYOUT);
        this.optionCapture = arena.allocate(Libc.CAPTURE_LAYOUT);
        this.receivePoll = pollFd(Libc.POLLIN);
        this.sendPoll = pollFd(Libc.POLLOUT);
        this.optionValue = arena.allocate(64, 8);
        this.optionLength = arena.allocate(JAVA_INT);
    }

    private MemorySegment pollFd(short events) {
        MemorySegment p = arena.allocate(Libc.POLLFD);
        p.set(JAVA_INT, 0, fd);
        p.set(JAVA_SHORT, Libc.POLL_EVENTS, events);
        return p;
    }

    /** {@return whether native sockets work on this platform and JVM} */
    public static boolean isSupported() {
        return Libc.unsupportedReason() == null;
    }

    /** {@return null if {@link #isSupported()}, else why not} */
    public static String unsupportedReason() {
        return Libc.unsupportedReason();
    }

    /**
     * Opens a non-blocking UDP socket.
     *
     * @param family {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6}
     * @return the socket
     * @throws IOException if the kernel refuses
     * @throws UnsupportedOperationException if not {@link #isSupported()}
     * @throws IllegalArgumentException for another family
     */
    public static NativeUdpSocket open(ProtocolFamily family) throws IOException {
        String problem = Libc.unsupportedReason();
        if (problem != null) {
            throw new UnsupportedOperationException("native UDP sockets are not available: " + problem);
        }
        boolean v6;
        if (family == StandardProtocolFamily.INET) {
            v6 = false;
        } else if (family == StandardProtocolFamily.INET6) {
            v6 = true;
        } else {
            throw new IllegalArgumentException("UDP needs INET or INET6, got " + family);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(Libc.CAPTURE_LAYOUT);
            int fd = Libc.socket(capture, v6 ? Libc.AF_INET6 : Libc.AF_INET,
                    Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw errorFor("socket", Libc.errno(capture));
            }
            return new NativeUdpSocket(fd, v6);
        }
    }

    /**
     * An exception describing a failed call.
     *
     * @param call the C function
     * @param errno its error number
     * @return the exception (not thrown)
     */
    public static IOException errorFor(String call, int errno) {
        return new IOException(call + " failed: " + Libc.strerror(errno));
    }

    /** {@return whether this is an IPv6 socket} */
    public boolean isIpv6() {
        return ipv6;
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    @Override
    public boolean isOpen() {
        return !isClosed();
    }

    private void begin() throws ClosedChannelException {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
        } while (!state.compareAndSet(s, s + 1));
    }

    private void end() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    private void release() {
        synchronized (optionLock) {
            if (Libc.close(optionCapture, fd) != 0) {
                LOG.debug("close of UDP socket {} failed: {}", fd, Libc.strerror(Libc.errno(optionCapture)));
            }
        }
        arena.close();
    }

    private void checkWoken() throws AsynchronousCloseException {
        if ((state.get() & CLOSED) != 0) {
            throw new AsynchronousCloseException();
        }
    }

    // ---- addresses ----

    /**
     * Binds to a local address (an IPv4 address on an IPv6 socket is bound IPv4-mapped).
     *
     * @param local the address, port 0 for any
     * @throws IOException if the kernel refuses (e.g. address in use)
     */
    public void bind(InetSocketAddress local) throws IOException {
        addressCall(local, false);
    }

    /**
     * Connects to a peer: datagrams from elsewhere are no longer received.
     *
     * @param peer the peer
     * @throws IOException if the kernel refuses
     */
    public void connect(InetSocketAddress peer) throws IOException {
        addressCall(peer, true);
    }

    private void addressCall(InetSocketAddress address, boolean connect) throws IOException {
        Objects.requireNonNull(address, "address");
        begin();
        try {
            synchronized (optionLock) {
                int length = SockAddr.write(optionValue, address, ipv6);
                int r = connect ? Libc.connect(optionCapture, fd, optionValue, length)
                        : Libc.bind(optionCapture, fd, optionValue, length);
                if (r != 0) {
                    throw errorFor((connect ? "connect to " : "bind to ") + address, Libc.errno(optionCapture));
                }
            }
        } finally {
            end();
        }
    }

    /**
     * The bound address ({@code getsockname}).
     *
     * @return the address
     * @throws IOException if closed or the call fails
     */
    public InetSocketAddress localAddress() throws IOException {
        begin();
        try {
            synchronized (optionLock) {
                optionLength.set(JAVA_INT, 0, SockAddr.SIZE);
                if (Libc.getsockname(optionCapture, fd, optionValue, optionLength) != 0) {
                    throw errorFor("getsockname", Libc.errno(optionCapture));
                }
                return SockAddr.read(optionValue);
            }
        } finally {
            end();
        }
    }

    // ---- options ----

    /**
     * Sets an integer socket option.
     *
     * @param level e.g. {@code SOL_SOCKET} (1)
     * @param name the option
     * @param value its value
     * @throws IOException naming the option and the kernel's error if refused
     */
    public void setOption(int level, int name, int value) throws IOException {
        begin();
        try {
            synchronized (optionLock) {
                optionValue.set(JAVA_INT, 0, value);
                if (Libc.setsockopt(optionCapture, fd, level, name, optionValue, 4) != 0) {
                    throw errorFor("setsockopt(level " + level + ", option " + name + ", " + value + ")",
                            Libc.errno(optionCapture));
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Reads an integer socket option.
     *
     * @param level the level
     * @param name the option
     * @return its value
     * @throws IOException if refused
     */
    public int getOption(int level, int name) throws IOException {
        begin();
        try {
            synchronized (optionLock) {
                optionLength.set(JAVA_INT, 0, 4);
                optionValue.set(JAVA_INT, 0, 0);
                if (Libc.getsockopt(optionCapture, fd, level, name, optionValue, optionLength) != 0) {
                    throw errorFor("getsockopt(level " + level + ", option " + name + ")",
                            Libc.errno(optionCapture));
                }
                return optionValue.get(JAVA_INT, 0);
            }
        } finally {
            end();
        }
    }

    /**
     * Tries to set an integer option: whether the kernel accepted it (never throws for a refusal).
     *
     * @param level the level
     * @param name the option
     * @param value its value
     * @return true if set
     */
    public boolean probeOption(int level, int name, int value) {
        try {
            setOption(level, name, value);
            return true;
        } catch (IOException e) {
            LOG.debug("socket option refused: {}", e.getMessage());
            return false;
        }
    }

    private void setStruct(int level, int name, MemorySegment value, String what) throws IOException {
        begin();
        try {
            synchronized (optionLock) {
                if (Libc.setsockopt(optionCapture, fd, level, name, value, (int) value.byteSize()) != 0) {
                    throw errorFor("setsockopt " + what, Libc.errno(optionCapture));
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Sets the receive buffer size ({@code SO_RCVBUF}), warning if the kernel grants less (it caps at
     * {@code net.core.rmem_max}).
     *
     * @param size bytes; 0 leaves the default
     * @throws IOException if refused
     */
    public void setReceiveBufferSize(int size) throws IOException {
        setBufferSize(Libc.SO_RCVBUF, size, "SO_RCVBUF", "net.core.rmem_max");
    }

    /**
     * Sets the send buffer size ({@code SO_SNDBUF}), warning if the kernel grants less.
     *
     * @param size bytes; 0 leaves the default
     * @throws IOException if refused
     */
    public void setSendBufferSize(int size) throws IOException {
        setBufferSize(Libc.SO_SNDBUF, size, "SO_SNDBUF", "net.core.wmem_max");
    }

    private void setBufferSize(int option, int size, String name, String limit) throws IOException {
        Sockets.checkBufferSize(size);
        if (size == 0) {
            return;
        }
        setOption(Libc.SOL_SOCKET, option, size);
        int actual = getOption(Libc.SOL_SOCKET, option);
        if (actual < size) {
            LOG.warn("requested socket buffer size {} ({}) but only received {}: raise {} to allow more",
                    size, name, actual, limit);
        }
    }

    /** @return the receive buffer size the kernel reports @throws IOException if the call fails */
    public int receiveBufferSize() throws IOException {
        return getOption(Libc.SOL_SOCKET, Libc.SO_RCVBUF);
    }

    /** @return the send buffer size the kernel reports @throws IOException if the call fails */
    public int sendBufferSize() throws IOException {
        return getOption(Libc.SOL_SOCKET, Libc.SO_SNDBUF);
    }

    /** @param on whether to allow address reuse ({@code SO_REUSEADDR}) @throws IOException if refused */
    public void setReuseAddress(boolean on) throws IOException {
        setOption(Libc.SOL_SOCKET, Libc.SO_REUSEADDR, on ? 1 : 0);
    }

    /**
     * Joins an IPv4 multicast group on the interface that has an address ({@code IP_ADD_MEMBERSHIP}).
     *
     * @param group the group
     * @param interfaceAddress the interface's IPv4 address, or null / 0.0.0.0 for the kernel's choice
     * @throws IOException if refused
     */
    public void joinGroup(Inet4Address group, Inet4Address interfaceAddress) throws IOException {
        Objects.requireNonNull(group, "group");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mreq = a.allocate(Libc.IP_MREQ);
            MemorySegment.copy(group.getAddress(), 0, mreq, JAVA_BYTE, 0, 4);
            if (interfaceAddress != null) {
                MemorySegment.copy(interfaceAddress.getAddress(), 0, mreq, JAVA_BYTE, 4, 4);
            }
            setStruct(Libc.IPPROTO_IP, Libc.IP_ADD_MEMBERSHIP, mreq,
                    "IP_ADD_MEMBERSHIP " + group.getHostAddress());
        }
    }

    /**
     * Joins an IPv6 multicast group on an interface ({@code IPV6_JOIN_GROUP}).
     *
     * @param group the group
     * @param interfaceIndex the interface index, 0 for the kernel's choice
     * @throws IOException if refused
     */
    public void joinGroup(Inet6Address group, int interfaceIndex) throws IOException {
        Objects.requireNonNull(group, "group");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mreq = a.allocate(Libc.IPV6_MREQ);
            MemorySegment.copy(group.getAddress(), 0, mreq, JAVA_BYTE, 0, 16);
            mreq.set(JAVA_INT, 16, interfaceIndex);
            setStruct(Libc.IPPROTO_IPV6, Libc.IPV6_ADD_MEMBERSHIP, mreq,
                    "IPV6_JOIN_GROUP " + group.getHostAddress());
        }
    }

    /**
     * Sets the multicast TTL (IPv4) or hop limit (IPv6).
     *
     * @param ttl 0 to 255
     * @throws IOException if refused
     */
    public void setMulticastTtl(int ttl) throws IOException {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 0 to 255, got " + ttl);
        }
        if (ipv6) {
            setOption(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, ttl);
        } else {
            setOption(Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL, ttl);
        }
    }

    /** @param on whether sent multicast loops back to local receivers @throws IOException if refused */
    public void setMulticastLoop(boolean on) throws IOException {
        if (ipv6) {
            setOption(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, on ? 1 : 0);
        } else {
            setOption(Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP, on ? 1 : 0);
        }
    }

    /**
     * Sets the outgoing interface of IPv4 multicast ({@code IP_MULTICAST_IF}).
     *
     * @param interfaceAddress the interface's IPv4 address
     * @throws IOException if refused
     */
    public void setMulticastInterface(Inet4Address interfaceAddress) throws IOException {
        Objects.requireNonNull(interfaceAddress, "interfaceAddress");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = a.allocate(4, 4);
            MemorySegment.copy(interfaceAddress.getAddress(), 0, in, JAVA_BYTE, 0, 4);
            setStruct(Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF, in, "IP_MULTICAST_IF " + interfaceAddress);
        }
    }

    /**
     * Sets the outgoing interface of IPv6 multicast ({@code IPV6_MULTICAST_IF}).
     *
     * @param interfaceIndex the interface index
     * @throws IOException if refused
     */
    public void setMulticastInterface(int interfaceIndex) throws IOException {
        setOption(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_IF, interfaceIndex);
    }

    /**
     * Asks the kernel to coalesce received datagrams ({@code UDP_GRO}); see
     * {@link UdpReceiveBatch#segmentSize(int)}.
     *
     * @return whether the kernel accepted (false: datagrams arrive one by one, as without)
     */
    public boolean enableGro() {
        boolean on = probeOption(Libc.SOL_UDP, Libc.UDP_GRO, 1);
        groEnabled = on;
        return on;
    }

    /**
     * Asks the kernel to attach its count of dropped datagrams to every datagram received
     * ({@code SO_RXQ_OVFL}), read with {@link UdpReceiveBatch#dropCounter(int)}.
     *
     * @return true if the kernel accepted the option
     */
    public boolean enableDropCounter() {
        return probeOption(Libc.SOL_SOCKET, Libc.SO_RXQ_OVFL, 1);
    }

    /** {@return whether {@link #enableGro()} succeeded} */
    public boolean isGroEnabled() {
        return groEnabled;
    }

    /**
     * Whether the kernel offers send segmentation offload ({@code UDP_SEGMENT}) on this socket: probed by
     * setting it to 0 (off), which leaves sending unchanged.
     *
     * @return true if available
     */
    public boolean probeGso() {
        return probeOption(Libc.SOL_UDP, Libc.UDP_SEGMENT, 0);
    }

    /**
     * Sets the GSO segment size: each datagram sent is then cut by the kernel into datagrams of this size
     * (0: off).
     *
     * @param size segment size in bytes, 0 for off
     * @throws IOException if refused
     */
    public void setGsoSize(int size) throws IOException {
        setOption(Libc.SOL_UDP, Libc.UDP_SEGMENT, size);
    }

    // ---- data ----

    /**
     * Takes up to {@code batch.capacity()} queued datagrams with one {@code recvmmsg}, waiting (in
     * {@code poll}) up to {@code timeoutMillis} for the first. Allocates nothing.
     *
     * @param batch where they land (see {@link UdpReceiveBatch})
     * @param timeoutMillis longest wait, 0 for none
     * @return how many datagrams (also {@code batch.count()}); 0 if none came in time
     * @throws AsynchronousCloseException if the socket was closed while waiting
     * @throws ClosedChannelException if it was closed before
     * @throws IOException naming the error if the kernel reports one
     */
    public int receiveBatch(UdpReceiveBatch batch, long timeoutMillis) throws IOException {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout must be at least 0, got " + timeoutMillis);
        }
        begin();
        try {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            // after a partial batch the queue ran dry: wait for readiness first rather than spend a recvmmsg
            // on EAGAIN (two calls per wake-up instead of three)
            if (batch.wasPartial() && !awaitReadable(deadline)) {
                batch.received(0);
                return 0;
            }
            while (true) {
                int n = receiveQueued(batch);
                if (n > 0) {
                    return n;
                }
                if (!awaitReadable(deadline)) {
                    return 0;
                }
            }
        } finally {
            end();
        }
    }

    /**
     * Takes the queued datagrams, up to {@code batch.capacity()}, with one {@code recvmmsg} that does not wait
     * (for a caller driven by readiness, e.g. an {@link EventLoop}). Allocates nothing.
     *
     * @param batch where they land
     * @return how many datagrams (also {@code batch.count()}); 0 if none was queued
     * @throws AsynchronousCloseException if the socket was closed meanwhile
     * @throws ClosedChannelException if it was closed before
     * @throws IOException naming the error if the kernel reports one
     */
    public int receiveReady(UdpReceiveBatch batch) throws IOException {
        begin();
        try {
            return receiveQueued(batch);
        } finally {
            end();
        }
    }

    /** One {@code recvmmsg} that does not wait, retried on EINTR. @return datagrams taken, 0 if none queued */
    private int receiveQueued(UdpReceiveBatch batch) throws IOException {
        while (true) {
            batch.reset();
            int n = Libc.recvmmsg(receiveCapture, fd, batch.headers, batch.capacity(), Libc.MSG_DONTWAIT);
            if (n > 0) {
                batch.received(n);
                return n;
            }
            int errno = n == 0 ? Libc.EAGAIN : Libc.errno(receiveCapture);
            if (errno == Libc.EINTR) {
                continue;
            }
            checkWoken();
            if (errno != Libc.EAGAIN) {
                throw errorFor("recvmmsg", errno);
            }
            batch.received(0);
            return 0;
        }
    }

    /**
     * Sends messages of a batch from {@code first} on, as many as the kernel takes without waiting (for a
     * caller driven by readiness). A message the kernel refuses is skipped with its error recorded, as in
     * {@link #sendBatch}, except a refused message of merged datagrams (GSO), which ends the send there as
     * {@link #sendBatch(UdpSendBatch, boolean)} does ({@link UdpSendBatch#stoppedAt()}). Allocates nothing.
     *
     * @param batch the datagrams
     * @param first the first message not yet sent
     * @return the first message still to send: {@code batch.messageCount()} if all were handled, less if
     *     the socket buffer is full (wait until the socket is writable, then call again from there)
     * @throws AsynchronousCloseException if the socket was closed meanwhile
     * @throws ClosedChannelException if it was closed before
     */
    public int sendReady(UdpSendBatch batch, int first) throws IOException {
        if (first == 0) {
            batch.stopAt(-1);
            batch.seal();
        }
        begin();
        try {
            return sendUntilFull(batch, first, true);
        } finally {
            end();
        }
    }

    /**
     * Sends messages from {@code first} on until the socket buffer is full or all are handled (one refused
     * is recorded and skipped, or with {@code stopAtRefusedMerge} a refused merged one stops the send).
     *
     * @return the first message still to send; {@code batch.messageCount()} when all were handled or stopped
     */
    private int sendUntilFull(UdpSendBatch batch, int first, boolean stopAtRefusedMerge) throws IOException {
        int n = batch.messageCount();
        while (first < n) {
            MemorySegment from = first == 0 ? batch.headers
                    : batch.headers.asSlice(first * Libc.MMSGHDR.byteSize());
            int sent = Libc.sendmmsg(sendCapture, fd, from, n - first, Libc.MSG_DONTWAIT);
            if (sent > 0) {
                first += sent;
                continue;
            }
            int errno = sent == 0 ? Libc.EAGAIN : Libc.errno(sendCapture);
            if (errno == Libc.EINTR) {
                continue;
            }
            checkWoken();
            if (errno == Libc.EAGAIN) {
                return first;
            }
            if (stopAtRefusedMerge && batch.segments(first) > 1) { // the caller resends the rest without GSO
                batch.stopAt(first);
                return n;
            }
            batch.setMessageErrno(first, errno);
            first++;
        }
        return first;
    }

    /**
     * Holds the descriptor open for registration with an {@link EventLoop}: until
     * {@link #releaseDescriptor()}, {@link #close()} shuts the socket down (waking the loop with a hang-up)
     * but does not release the descriptor, so its number cannot be reused while it is registered.
     *
     * @return the descriptor
     * @throws ClosedChannelException if the socket is closed
     */
    public int acquireDescriptor() throws ClosedChannelException {
        begin();
        return fd;
    }

    /** Ends one {@link #acquireDescriptor()} hold (after the descriptor was removed from the loop). */
    public void releaseDescriptor() {
        end();
    }

    /** Polls for readability until the deadline. @return whether readable @throws IOException if closed */
    private boolean awaitReadable(long deadline) throws IOException {
        while (true) {
            long leftNanos = deadline - System.nanoTime();
            int millis = leftNanos <= 0 ? 0 : (int) Math.min((leftNanos + 999_999L) / 1_000_000L, POLL_SLICE_MILLIS);
            if (waitFor(receivePoll, receiveCapture, millis)) {
                return true;
            }
            if (deadline - System.nanoTime() <= 0) {
                return false;
            }
        }
    }

    /**
     * Sends every datagram of a batch, as many messages per {@code sendmmsg} as the kernel takes, waiting for
     * buffer room when it is full. A message the kernel refuses (e.g. {@code EMSGSIZE}) is skipped and its
     * error recorded for its datagrams ({@link UdpSendBatch#errno(int)}); the others are still sent.
     * Allocates nothing.
     *
     * @param batch the datagrams
     * @return how many failed (0: all sent)
     * @throws AsynchronousCloseException if the socket was closed meanwhile (the rest are not sent)
     * @throws ClosedChannelException if it was closed before
     */
    public int sendBatch(UdpSendBatch batch) throws IOException {
        return sendBatch(batch, false);
    }

    /**
     * Sends a batch as {@link #sendBatch(UdpSendBatch)} does, except that with {@code stopAtRefusedMerge} a
     * refused message of several merged datagrams (GSO) ends the send there, as spead2 does, so that the
     * caller can send the rest without GSO in order: {@link UdpSendBatch#stoppedAt()} then gives the first
     * datagram not sent.
     *
     * @param batch the datagrams
     * @param stopAtRefusedMerge whether a refused merged message stops the send
     * @return how many failed before any stop (0: all sent, or all sent up to the stop)
     * @throws AsynchronousCloseException if the socket was closed meanwhile (the rest are not sent)
     * @throws ClosedChannelException if it was closed before
     */
    public int sendBatch(UdpSendBatch batch, boolean stopAtRefusedMerge) throws IOException {
        int n = batch.messageCount();
        batch.stopAt(-1);
        batch.seal();
        begin();
        try {
            int first = 0;
            while ((first = sendUntilFull(batch, first, stopAtRefusedMerge)) < n) {
                waitFor(sendPoll, sendCapture, POLL_SLICE_MILLIS);
            }
            return batch.failedDatagrams();
        } finally {
            end();
        }
    }

    /** Polls one descriptor. @return whether it is ready (or hung up) @throws IOException if closed or failed */
    private boolean waitFor(MemorySegment pollFd, MemorySegment capture, int millis) throws IOException {
        int r = Libc.poll(capture, pollFd, 1, millis);
        if (r < 0) {
            int errno = Libc.errno(capture);
            if (errno != Libc.EINTR) {
                throw errorFor("poll", errno);
            }
        }
        checkWoken();
        return r > 0;
    }

    /**
     * Closes the socket: a thread waiting in {@link #receiveBatch} or {@link #sendBatch} is woken and throws
     * {@link AsynchronousCloseException}; the descriptor is released when the last call returns. Idempotent.
     */
    @Override
    public void close() {
        try {
            begin();
        } catch (ClosedChannelException e) {
            return;
        }
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                end();
                return;
            }
        } while (!state.compareAndSet(s, s | CLOSED));
        synchronized (optionLock) {
            Libc.shutdown(optionCapture, fd, Libc.SHUT_RDWR); // wakes poll (ENOTCONN if unconnected: fine)
        }
        end();
    }

    @Override
    public String toString() {
        return "NativeUdpSocket(fd " + fd + (ipv6 ? ", IPv6" : ", IPv4") + (isClosed() ? ", closed)" : ")");
    }

    /**
     * Joins a group of either family as {@link Sockets} does, by interface address (IPv4) or the interface's
     * index (IPv6).
     *
     * @param group the group
     * @param networkInterface the interface
     * @throws IOException if refused
     */
    public void joinGroup(InetAddress group, java.net.NetworkInterface networkInterface) throws IOException {
        if (group instanceof Inet6Address g6) {
            joinGroup(g6, networkInterface == null ? 0 : networkInterface.getIndex());
        } else {
            Inet4Address address = null;
            if (networkInterface != null) {
                for (InetAddress a : java.util.Collections.list(networkInterface.getInetAddresses())) {
                    if (a instanceof Inet4Address a4) {
                        address = a4;
                        break;
                    }
                }
            }
            joinGroup((Inet4Address) group, address);
        }
    }
}
