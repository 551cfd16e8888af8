package io.spead4j.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

import static io.spead4j.net.Libc.U16;
import static io.spead4j.net.Libc.U32;
import static io.spead4j.net.Libc.U64;

/**
 * The reusable memory of {@link NativeUdpSocket#sendBatch}: up to {@code capacity} datagrams, each a range of
 * native memory and the index of its destination, described by {@code mmsghdr}s and {@code iovec}s set up
 * once; the destinations are encoded once as {@code sockaddr}s. Filling and sending allocate nothing. After a
 * send, {@link #errno(int)} tells which datagrams failed. Its native memory is freed when the batch is no
 * longer reachable (so a stream's writer may still hold it while the stream closes). Not thread-safe.
 *
 * <p>With segmentation offload on ({@link #setGso(boolean)}, where the socket supports it:
 * {@link NativeUdpSocket#probeGso()}), consecutive datagrams to the same destination whose sizes are equal
 * (the last of a run may be shorter) go as one message of several {@code iovec}s with a {@code UDP_SEGMENT}
 * control message, which the kernel cuts back into those datagrams (spead2's GSO): one trip through the
 * network stack for up to {@value #MAX_GSO_SEGMENTS} datagrams or {@value #MAX_GSO_BYTES} bytes.
 */
public final class UdpSendBatch {
    /** Most datagrams merged into one GSO message (the kernel allows 64 or more). */
    static final int MAX_GSO_SEGMENTS = 64;
    /** Most bytes in one GSO message: the largest IPv4 UDP payload. */
    static final int MAX_GSO_BYTES = 65507;
    /** Most iovecs in one message ({@code UIO_MAXIOV}). */
    static final int MAX_IOVECS = 1024;
    private static final long MSG = Libc.MMSGHDR.byteSize();
    private static final long IOV = Libc.IOVEC.byteSize();
    /** {@code CMSG_SPACE(sizeof(uint16_t))}. */
    private static final int CONTROL_SPACE = (int) Libc.CMSG_DATA_OFFSET + 8;
    /** {@code CMSG_LEN(sizeof(uint16_t))}. */
    private static final int CONTROL_LENGTH = (int) Libc.CMSG_DATA_OFFSET + 2;

    private final Arena arena = Arena.ofAuto();
    private final int capacity;
    final MemorySegment headers;
    private final MemorySegment iovecs;
    private final int maxPieces;
    /** Per message: its iovecs. */
    private final int[] messageIovecs;
    private int iovecsUsed;
    private final MemorySegment control;
    private final MemorySegment names;
    private final int[] nameLengths;
    /**
     * Per message: error of the last send, first datagram, datagrams (the open last message's count is
     * copied here by {@link #storeOpen()}).
     */
    private final int[] messageErrno;
    private final int[] messageFirst;
    private final int[] messageSegments;
    private boolean gso;
    private int count;
    private int messages;

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
        this(capacity, 1, destinations, ipv6);
    }

    /**
     * Allocates a batch whose datagrams may each be gathered from several pieces of memory
     * ({@link #addGathered}).
     *
     * @param capacity most datagrams per send (spead2 uses 64)
     * @param maxPieces most pieces one datagram is gathered from; {@code capacity * maxPieces} at most
     *     {@value #MAX_IOVECS} (the kernel's limit for one message, which GSO may fill with a whole batch)
     * @param destinations the destinations datagrams are sent to, by index; all of the socket's family (IPv4
     *     addresses are sent IPv4-mapped on an IPv6 socket)
     * @param ipv6 whether the socket is IPv6
     * @throws IllegalArgumentException if capacity or maxPieces is not positive or their product is above
     *     {@value #MAX_IOVECS}, destinations are empty or unresolved, or an IPv6 destination is given for an
     *     IPv4 socket
     */
    public UdpSendBatch(int capacity, int maxPieces, List<InetSocketAddress> destinations, boolean ipv6) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        if (maxPieces < 1 || (long) capacity * maxPieces > MAX_IOVECS) {
            throw new IllegalArgumentException("maxPieces must be positive and capacity * maxPieces at most "
                    + MAX_IOVECS + ", got " + capacity + " * " + maxPieces);
        }
        this.maxPieces = maxPieces;
        this.messageIovecs = new int[capacity];
        Objects.requireNonNull(destinations, "destinations");
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("destinations must not be empty");
        }
        this.capacity = capacity;
        this.headers = arena.allocate(Libc.MMSGHDR, capacity);
        this.iovecs = arena.allocate(Libc.IOVEC, (long) capacity * maxPieces);
        this.control = arena.allocate((long) capacity * CONTROL_SPACE, 8);
        this.names = arena.allocate((long) destinations.size() * SockAddr.SIZE, 8);
        this.nameLengths = new int[destinations.size()];
        this.messageErrno = new int[capacity];
        this.messageFirst = new int[capacity];
        this.messageSegments = new int[capacity];
        for (int d = 0; d < destinations.size(); d++) {
            nameLengths[d] = SockAddr.write(names.asSlice((long) d * SockAddr.SIZE, SockAddr.SIZE),
                    Objects.requireNonNull(destinations.get(d), "destination"), ipv6);
        }
        for (int m = 0; m < capacity; m++) {
            long c = (long) m * CONTROL_SPACE;
            control.set(U64, c, CONTROL_LENGTH);
            control.set(U32, c + 8, Libc.SOL_UDP);
            control.set(U32, c + 12, Libc.UDP_SEGMENT);
        }
    }

    /**
     * Turns segmentation offload on or off for datagrams added from now on (see the class comment).
     *
     * @param on whether to merge equal-sized runs into GSO messages
     */
    public void setGso(boolean on) {
        this.gso = on;
    }

    /** {@return whether segmentation offload is on} */
    public boolean isGso() {
        return gso;
    }

    /** {@return most datagrams per send} */
    public int capacity() {
        return capacity;
    }

    /** {@return how many datagrams are in the batch} */
    public int size() {
        return count;
    }

    /** {@return how many messages (system call entries) the datagrams make: fewer than {@link #size()} with GSO} */
    public int messageCount() {
        return messages;
    }

    /** Empties the batch. */
    public void clear() {
        count = 0;
        messages = 0;
        iovecsUsed = 0;
        failedMessages = 0;
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
        checkRoom(1, destination);
        if (!segment.isNative()) {
            throw new IllegalArgumentException("datagrams must be in native memory");
        }
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        setIovec(iovecsUsed, segment.address() + offset, length);
        return append(1, length, destination);
    }

    /**
     * Appends a datagram gathered from pieces of native memory, in order (the kernel reads them as one
     * datagram; with GSO a run of such datagrams still goes as one message). The memory must stay alive and
     * unchanged until the send returns; the caller vouches for the addresses, which are not checked.
     *
     * @param addresses native addresses of the pieces
     * @param lengths their lengths in bytes
     * @param from index of the first piece in both arrays
     * @param pieces how many pieces, 1 to the batch's {@code maxPieces}
     * @param destination index into the destinations
     * @return its index in the batch
     * @throws IllegalStateException if the batch is full
     * @throws IllegalArgumentException if {@code pieces} is out of range or a length is negative
     * @throws IndexOutOfBoundsException if the arrays are too short or there is no such destination
     */
    public int addGathered(long[] addresses, int[] lengths, int from, int pieces, int destination) {
        if (pieces < 1 || pieces > maxPieces) {
            throw new IllegalArgumentException("pieces must be 1 to " + maxPieces + ", got " + pieces);
        }
        checkRoom(pieces, destination);
        Objects.checkFromIndexSize(from, pieces, Math.min(addresses.length, lengths.length));
        int length = 0;
        for (int k = 0; k < pieces; k++) {
            int piece = lengths[from + k];
            if (piece < 0) {
                throw new IllegalArgumentException("negative piece length " + piece);
            }
            setIovec(iovecsUsed + k, addresses[from + k], piece);
            length += piece;
        }
        return append(pieces, length, destination);
    }

    private void checkRoom(int pieces, int destination) {
        if (count == capacity) {
            throw new IllegalStateException("batch is full (" + capacity + " datagrams)");
        }
        if (iovecsUsed + pieces > (long) capacity * maxPieces) {
            throw new IllegalStateException("batch has no room for " + pieces + " more pieces");
        }
        Objects.checkIndex(destination, nameLengths.length);
    }

    private void setIovec(int index, long address, long length) {
        iovecs.set(U64, index * IOV + Libc.IOV_BASE, address);
        iovecs.set(U64, index * IOV + Libc.IOV_LEN, length);
    }

    /** Records a datagram whose {@code pieces} iovecs were just written at {@link #iovecsUsed}. */
    private int append(int pieces, int length, int destination) {
        int i = count++;
        if (gso && messages > 0 && mayJoin(length, destination)) {
            // the open message is kept in fields: a datagram joining it touches no array
            openSegments++;
            openBytes += length;
            openIovecs += pieces; // written to the header once, by seal()
            if (openSegments == 2) {
                int m = messages - 1;
                long h = m * MSG;
                headers.set(U64, h + Libc.MSG_CONTROL, control.address() + (long) m * CONTROL_SPACE);
                headers.set(U64, h + Libc.MSG_CONTROLLEN, CONTROL_SPACE);
                control.set(U16, (long) m * CONTROL_SPACE + Libc.CMSG_DATA_OFFSET, (short) openSegmentSize);
            }
        } else {
            storeOpen();
            int m = messages++;
            long h = m * MSG;
            headers.set(U64, h + Libc.MSG_NAME, names.address() + (long) destination * SockAddr.SIZE);
            headers.set(U32, h + Libc.MSG_NAMELEN, nameLengths[destination]);
            headers.set(U64, h + Libc.MSG_IOV, iovecs.address() + iovecsUsed * IOV);
            headers.set(U64, h + Libc.MSG_CONTROL, 0L);
            headers.set(U64, h + Libc.MSG_CONTROLLEN, 0L);
            headers.set(U32, h + Libc.MSG_FLAGS, 0);
            messageFirst[m] = i;
            messageErrno[m] = 0;
            openSegments = 1;
            openBytes = length;
            openSegmentSize = length;
            openDestination = destination;
            openIovecs = pieces;
        }
        lastLength = length;
        iovecsUsed += pieces;
        return i;
    }

    /** The last message, still open to datagrams: its datagrams, bytes, segment size, destination, iovecs. */
    private int openSegments;
    private int openBytes;
    private int openSegmentSize;
    private int openDestination;
    private int openIovecs;
    /** Size of the last datagram added. */
    private int lastLength;

    /** Copies the open message's counts to the per-message arrays (it may still grow; idempotent). */
    private void storeOpen() {
        if (messages > 0) {
            int m = messages - 1;
            messageSegments[m] = openSegments;
            messageIovecs[m] = openIovecs;
        }
    }

    /**
     * Writes each message's iovec count into its header: once a send instead of once a datagram, as a GSO
     * message grows by a datagram at a time. Called before the messages go to the kernel.
     */
    void seal() {
        storeOpen();
        for (int m = 0; m < messages; m++) {
            headers.set(U64, m * MSG + Libc.MSG_IOVLEN, messageIovecs[m]);
        }
    }

    /** Whether a datagram may join the open message: same destination, its run still open, room left. */
    private boolean mayJoin(int length, int destination) {
        int segmentSize = openSegmentSize;
        return destination == openDestination
                && segmentSize > 0
                && lastLength == segmentSize       // a shorter datagram ends a run
                && length <= segmentSize
                && length > 0
                && openSegments < MAX_GSO_SEGMENTS
                && openBytes + length <= MAX_GSO_BYTES;
    }

    /** First datagram of the message where the last send stopped, or -1 (see {@link #stoppedAt()}). */
    private int stoppedAt = -1;

    void stopAt(int message) {
        stoppedAt = message < 0 ? -1 : messageFirst[message];
    }

    /**
     * Where the last send stopped when asked to stop at a refused merged message
     * ({@link NativeUdpSocket#sendBatch(UdpSendBatch, boolean)}).
     *
     * @return the index of the first datagram not sent, or -1 if the send went through the whole batch
     */
    public int stoppedAt() {
        return stoppedAt;
    }

    /** {@return how many datagrams the last send failed (those of messages with an error)} */
    int failedDatagrams() {
        storeOpen();
        int failed = 0;
        for (int m = 0; m < messages; m++) {
            if (messageErrno[m] != 0) {
                failed += messageSegments[m];
            }
        }
        return failed;
    }

    void setMessageErrno(int m, int errno) {
        messageErrno[m] = errno;
        if (errno != 0) {
            failedMessages++;
        }
    }

    /** Messages given an error since the batch was last cleared. */
    private int failedMessages;

    /**
     * {@return whether any datagram failed in the sends since the batch was last cleared (if not, every
     *     {@link #errno(int)} is 0 and a caller need not look at each)}
     */
    public boolean anyFailed() {
        return failedMessages != 0;
    }

    /** @return datagrams in message {@code m} @param m message index */
    int segments(int m) {
        storeOpen();
        return messageSegments[m];
    }

    /**
     * The error of datagram {@code i} in the last send: 0 if it was sent, else the kernel's error number
     * (e.g. {@code EMSGSIZE} 90 for a datagram too large, {@code ENOBUFS} 105), shared by every datagram of
     * its GSO message; see {@link NativeUdpSocket#errorFor(String, int)} for an exception describing it.
     *
     * @param i datagram index, below {@link #size()}
     * @return the error number, or 0
     */
    public int errno(int i) {
        Objects.checkIndex(i, count);
        return messageErrno[messageOf(i)];
    }

    /**
     * Whether datagram {@code i} went in a GSO message of several datagrams.
     *
     * @param i datagram index, below {@link #size()}
     * @return true if merged with others
     */
    public boolean merged(int i) {
        Objects.checkIndex(i, count);
        storeOpen();
        return messageSegments[messageOf(i)] > 1;
    }

    /** The message datagram {@code i} is in (looked up: asked only after a failure, or by tests). */
    private int messageOf(int i) {
        int low = 0;
        int high = messages - 1;
        while (low < high) { // the last message whose first datagram is at most i
            int mid = (low + high + 1) >>> 1;
            if (messageFirst[mid] <= i) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }
}
