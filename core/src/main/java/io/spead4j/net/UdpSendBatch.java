package io.spead4j.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The reusable memory of {@link NativeUdpSocket#sendBatch}: up to {@code capacity} datagrams, each a range of
 * native memory and the index of its destination, described by {@code mmsghdr}s and {@code iovec}s set up
 * once; the destinations are encoded once as {@code sockaddr}s. Filling and sending allocate nothing. After a
 * send, {@link #errno(int)} tells which datagrams failed. Its native memory is freed when the batch is no
 * longer reachable (so a stream's writer may still hold it while the stream closes). Not thread-safe.
 */
public final class UdpSendBatch {
    private static final long MSG = Libc.MMSGHDR.byteSize();
    private static final long IOV = Libc.IOVEC.byteSize();

    private final Arena arena = Arena.ofAuto();
    private final int capacity;
    final MemorySegment headers;
    private final MemorySegment iovecs;
    private final MemorySegment names;
    private final int[] nameLengths;
    private final int[] errnos;
    private int count;

    /**
     * Allocates a batch.
     *
     * @param capacity most datagrams per send (spead2 uses 64)
     * @param destinations the destinations datagrams are sent to, by index; all of the socket's family (IPv4
     *     addresses are sent IPv4-mapped on an IPv6 socket)
     * @param ipv6 whether the socket is IPv6
     * @throws IllegalArgumentException if capacity is not positive, destinations are empty or unresolved, or an
     *     IPv6 destination is given for an IPv4 socket
     */
    public UdpSendBatch(int capacity, List<InetSocketAddress> destinations, boolean ipv6) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        Objects.requireNonNull(destinations, "destinations");
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("destinations must not be empty");
        }
        this.capacity = capacity;
        this.headers = arena.allocate(Libc.MMSGHDR, capacity);
        this.iovecs = arena.allocate(Libc.IOVEC, capacity);
        this.names = arena.allocate((long) destinations.size() * SockAddr.SIZE, 8);
        this.nameLengths = new int[destinations.size()];
        this.errnos = new int[capacity];
        for (int d = 0; d < destinations.size(); d++) {
            nameLengths[d] = SockAddr.write(names.asSlice((long) d * SockAddr.SIZE, SockAddr.SIZE),
                    Objects.requireNonNull(destinations.get(d), "destination"), ipv6);
        }
        for (int i = 0; i < capacity; i++) {
            headers.set(JAVA_LONG, i * MSG + Libc.MSG_IOV, iovecs.address() + i * IOV);
            headers.set(JAVA_LONG, i * MSG + Libc.MSG_IOVLEN, 1);
        }
    }

    /** @return most datagrams per send */
    public int capacity() {
        return capacity;
    }

    /** @return how many datagrams are in the batch */
    public int size() {
        return count;
    }

    /** Empties the batch. */
    public void clear() {
        count = 0;
    }

    /**
     * Appends a datagram. The memory must stay alive and unchanged until the send returns.
     *
     * @param segment native memory holding it
     * @param offset where it starts in {@code segment}
     * @param length its size in bytes
     * @param destination index into the destinations
     * @return its index in the batch
     * @throws IllegalStateException if the batch is full
     * @throws IllegalArgumentException if the segment is not native or the range is outside it
     * @throws IndexOutOfBoundsException if there is no such destination
     */
    public int add(MemorySegment segment, long offset, int length, int destination) {
        if (count == capacity) {
            throw new IllegalStateException("batch is full (" + capacity + " datagrams)");
        }
        if (!segment.isNative()) {
            throw new IllegalArgumentException("datagrams must be in native memory");
        }
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        Objects.checkIndex(destination, nameLengths.length);
        int i = count++;
        long m = i * MSG;
        iovecs.set(JAVA_LONG, i * IOV + Libc.IOV_BASE, segment.address() + offset);
        iovecs.set(JAVA_LONG, i * IOV + Libc.IOV_LEN, length);
        headers.set(JAVA_LONG, m + Libc.MSG_NAME, names.address() + (long) destination * SockAddr.SIZE);
        headers.set(JAVA_INT, m + Libc.MSG_NAMELEN, nameLengths[destination]);
        errnos[i] = 0;
        return i;
    }

    void setErrno(int i, int errno) {
        errnos[i] = errno;
    }

    /**
     * The error of datagram {@code i} in the last send: 0 if it was sent, else the kernel's error number
     * (e.g. {@code EMSGSIZE} 90 for a datagram too large, {@code ENOBUFS} 105); see
     * {@link NativeUdpSocket#errorFor(String, int)} for an exception describing it.
     *
     * @param i datagram index, below {@link #size()}
     * @return the error number, or 0
     */
    public int errno(int i) {
        Objects.checkIndex(i, count);
        return errnos[i];
    }
}
