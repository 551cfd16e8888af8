package io.spead4j.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.Objects;

import static io.spead4j.net.Libc.U16;
import static io.spead4j.net.Libc.U32;
import static io.spead4j.net.Libc.U64;

/**
 * The reusable memory of {@link NativeUdpSocket#receiveBatch}: one slab of {@code capacity} slots of
 * {@code slotSize} bytes, and the {@code iovec}s, {@code mmsghdr}s, source-address and control buffers that
 * point into it, all set up once. After a receive, datagram {@code i < count()} lies in {@link #data()} at
 * {@link #offset(int)} with {@link #length(int)} bytes; nothing is allocated to read it (except
 * {@link #source(int)}, which builds an address object). Not thread-safe: one receiving thread at a time.
 *
 * <p>With GRO enabled on the socket ({@link NativeUdpSocket#enableGro()}), a slot may hold several datagrams
 * coalesced by the kernel: {@link #segmentSize(int)} then gives their size (the last may be shorter), so a
 * slot must be large enough for a coalesced message (64 KiB).
 */
public final class UdpReceiveBatch implements AutoCloseable {
    /**
     * Control buffer per message: room for two {@code cmsghdr}s with an int each ({@code CMSG_SPACE(4)} = 24):
     * the GRO segment size and the drop counter ({@code SO_RXQ_OVFL}), rounded up.
     */
    private static final int CONTROL_SIZE = 64;
    private static final long MSG = Libc.MMSGHDR.byteSize();
    private static final long IOV = Libc.IOVEC.byteSize();

    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final int slotSize;
    private final MemorySegment data;
    final MemorySegment headers;
    private final MemorySegment names;
    private static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private final MemorySegment control;
    private int count;
    /** Whether the last receive took fewer than {@link #capacity} datagrams (the queue ran dry). */
    private boolean partial;

    /**
     * Allocates the memory of a batch.
     *
     * @param capacity most datagrams per receive (spead2 uses 64)
     * @param slotSize bytes per datagram slot: a longer datagram is truncated (see {@link #truncated(int)})
     * @throws IllegalArgumentException if either is not positive or the slab would exceed 2 GiB
     */
    public UdpReceiveBatch(int capacity, int slotSize) {
        if (capacity < 1 || slotSize < 1 || (long) capacity * slotSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("capacity and slotSize must be positive and their product at most "
                    + Integer.MAX_VALUE + ", got " + capacity + " x " + slotSize);
        }
        this.capacity = capacity;
        this.slotSize = slotSize;
        this.data = arena.allocate((long) capacity * slotSize, 64);
        this.headers = arena.allocate(Libc.MMSGHDR, capacity);
        MemorySegment iovecs = arena.allocate(Libc.IOVEC, capacity);
        this.names = arena.allocate((long) capacity * SockAddr.SIZE, 8);
        this.control = arena.allocate((long) capacity * CONTROL_SIZE, 8);
        for (int i = 0; i < capacity; i++) {
            long iov = i * IOV;
            iovecs.set(U64, iov + Libc.IOV_BASE, data.address() + (long) i * slotSize);
            iovecs.set(U64, iov + Libc.IOV_LEN, slotSize);
            long m = i * MSG;
            headers.set(U64, m + Libc.MSG_NAME, names.address() + (long) i * SockAddr.SIZE);
            headers.set(U64, m + Libc.MSG_IOV, iovecs.address() + iov);
            headers.set(U64, m + Libc.MSG_IOVLEN, 1);
            headers.set(U64, m + Libc.MSG_CONTROL, control.address() + (long) i * CONTROL_SIZE);
        }
        dirty = capacity;
        reset();
    }

    /** Restores the in/out fields the kernel overwrites (name and control lengths, flags). */
    void reset() {
        for (int i = 0; i < dirty; i++) {
            long m = i * MSG;
            headers.set(U32, m + Libc.MSG_NAMELEN, SockAddr.SIZE);
            headers.set(U64, m + Libc.MSG_CONTROLLEN, CONTROL_SIZE);
            headers.set(U32, m + Libc.MSG_FLAGS, 0);
            headers.set(U32, m + Libc.MSG_LEN, 0);
        }
        dirty = capacity; // until received() says how far the coming call wrote
        receiving = true;
        count = 0;
    }

    /**
     * Headers the kernel may have written since the last {@link #reset()}: those of the datagrams received
     * and the one after (where a receive may have failed); all of them while a call's outcome is unknown.
     */
    private int dirty;
    /** Whether a {@code recvmmsg} was made since the last {@link #reset()} and not yet reported. */
    private boolean receiving;

    void received(int n) {
        count = n;
        partial = n < capacity;
        if (receiving) {
            dirty = Math.min(capacity, n + 1);
            receiving = false;
        }
    }

    boolean wasPartial() {
        return partial;
    }

    /** {@return most datagrams per receive} */
    public int capacity() {
        return capacity;
    }

    /** {@return bytes per slot} */
    public int slotSize() {
        return slotSize;
    }

    /** {@return how many datagrams the last receive took} */
    public int count() {
        return count;
    }

    /** {@return the slab holding every slot (the same segment for every receive)} */
    public MemorySegment data() {
        return data;
    }

    /** @return offset of datagram {@code i} in {@link #data()} @param i datagram index, below {@link #count()} */
    public long offset(int i) {
        Objects.checkIndex(i, count);
        return (long) i * slotSize;
    }

    /**
     * The bytes of datagram {@code i} that landed in its slot: at most {@link #slotSize()}.
     *
     * @param i datagram index, below {@link #count()}
     * @return the length
     */
    public int length(int i) {
        Objects.checkIndex(i, count);
        return headers.get(U32, i * MSG + Libc.MSG_LEN);
    }

    /**
     * Whether datagram {@code i} was longer than its slot (the kernel's {@code MSG_TRUNC}): only its first
     * {@link #slotSize()} bytes were kept, and the caller should drop it.
     *
     * @param i datagram index, below {@link #count()}
     * @return true if truncated
     */
    public boolean truncated(int i) {
        Objects.checkIndex(i, count);
        return (headers.get(U32, i * MSG + Libc.MSG_FLAGS) & Libc.MSG_TRUNC) != 0;
    }

    /**
     * The GRO segment size of message {@code i}: if positive, the slot holds datagrams of this many bytes back
     * to back (the last may be shorter) that the kernel coalesced; 0 if it holds one datagram.
     *
     * @param i message index, below {@link #count()}
     * @return the segment size, or 0
     */
    public int segmentSize(int i) {
        long at = controlData(i, Libc.SOL_UDP, Libc.UDP_GRO);
        return at < 0 ? 0 : control.get(U32, at);
    }

    /**
     * The socket's count of datagrams dropped (its receive buffer was full) when message {@code i} was queued,
     * from the {@code SO_RXQ_OVFL} control message ({@link NativeUdpSocket#enableDropCounter()}): a 32-bit
     * counter that wraps, and reports drops before this datagram only.
     *
     * @param i message index, below {@link #count()}
     * @return the counter (0 to 2^32 - 1), or -1 if the message carries none
     */
    public long dropCounter(int i) {
        long at = controlData(i, Libc.SOL_SOCKET, Libc.SO_RXQ_OVFL);
        return at < 0 ? -1 : control.get(U32, at) & 0xFFFF_FFFFL;
    }

    /** {@return the offset in {@link #control} of the int of message i's control message of that kind, or -1} */
    private long controlData(int i, int wantLevel, int wantType) {
        Objects.checkIndex(i, count);
        long m = i * MSG;
        long length = headers.get(U64, m + Libc.MSG_CONTROLLEN);
        long base = (long) i * CONTROL_SIZE;
        long at = 0;
        while (at + Libc.CMSG_DATA_OFFSET <= length) {
            long cmsgLength = control.get(U64, base + at);
            if (cmsgLength < Libc.CMSG_DATA_OFFSET || at + cmsgLength > length) {
                break;
            }
            int level = control.get(U32, base + at + 8);
            int type = control.get(U32, base + at + 12);
            if (level == wantLevel && type == wantType && cmsgLength >= Libc.CMSG_DATA_OFFSET + 4) {
                return base + at + Libc.CMSG_DATA_OFFSET;
            }
            at += (cmsgLength + 7) & ~7L;
        }
        return -1;
    }

    /**
     * The sender of datagram {@code i} (allocates: for tests and diagnostics, not per packet).
     *
     * @param i datagram index, below {@link #count()}
     * @return the source address
     */
    public InetSocketAddress source(int i) {
        Objects.checkIndex(i, count);
        return SockAddr.read(names.asSlice((long) i * SockAddr.SIZE, SockAddr.SIZE));
    }

    /**
     * The sender of datagram {@code i} in compact form, with no allocation: an IPv4 address (or an IPv4-mapped
     * IPv6 one) and port as {@code address << 16 | port}; -1 for any other source.
     *
     * @param i datagram index, below {@link #count()}
     * @return the key, or -1
     */
    public long sourceIpv4Key(int i) {
        Objects.checkIndex(i, count);
        long at = (long) i * SockAddr.SIZE;
        int family = names.get(U16, at) & 0xFFFF;
        int port = names.get(BE_SHORT, at + 2) & 0xFFFF;
        int address;
        if (family == Libc.AF_INET) {
            address = names.get(BE_INT, at + 4);
        } else if (family == Libc.AF_INET6 && names.get(U64, at + 8) == 0
                && names.get(BE_INT, at + 16) == 0xFFFF) {
            address = names.get(BE_INT, at + 20);
        } else {
            return -1;
        }
        return (Integer.toUnsignedLong(address) << 16) | port;
    }

    /**
     * Whether datagram {@code i} came from an IPv6 address that is not IPv4-mapped (then
     * {@link #sourceIpv4Key(int)} is -1 and {@link #sourceIpv6High}, {@link #sourceIpv6Low} and
     * {@link #sourceIpv6PortScope} identify it).
     *
     * @param i datagram index, below {@link #count()}
     * @return true for such a sender
     */
    public boolean isIpv6Source(int i) {
        Objects.checkIndex(i, count);
        return (names.get(U16, (long) i * SockAddr.SIZE) & 0xFFFF) == Libc.AF_INET6 && sourceIpv4Key(i) < 0;
    }

    /** @return the first 8 bytes of datagram {@code i}'s IPv6 source address (raw) @param i datagram index */
    public long sourceIpv6High(int i) {
        Objects.checkIndex(i, count);
        return names.get(U64, (long) i * SockAddr.SIZE + 8);
    }

    /** @return the last 8 bytes of datagram {@code i}'s IPv6 source address (raw) @param i datagram index */
    public long sourceIpv6Low(int i) {
        Objects.checkIndex(i, count);
        return names.get(U64, (long) i * SockAddr.SIZE + 16);
    }

    /** @return datagram {@code i}'s IPv6 source port (low 16 bits) and scope id (high 32 bits) @param i index */
    public long sourceIpv6PortScope(int i) {
        Objects.checkIndex(i, count);
        long at = (long) i * SockAddr.SIZE;
        return ((long) names.get(U32, at + 24) << 32) | (names.get(BE_SHORT, at + 2) & 0xFFFF);
    }

    /** Frees the memory; the batch must not be used afterwards (nor concurrently with this). */
    @Override
    public void close() {
        arena.close();
    }
}
