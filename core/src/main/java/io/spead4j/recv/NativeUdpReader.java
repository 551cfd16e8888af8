package io.spead4j.recv;

import io.spead4j.ThreadPool;
import io.spead4j.net.EventLoop;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.UdpReceiveBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The UDP reader over a {@link NativeUdpSocket}: one {@code recvmmsg} takes up to {@value #BATCH} datagrams
 * into a reusable slab and they go to the stream's packet step as one batch, straight from the kernel's
 * copy (spead2's reader). The rules are {@link UdpReader}'s: a datagram must be 1 to {@code maxSize} bytes
 * and decode to exactly its length, else it is dropped (debug log) and not counted; a datagram longer than
 * its slot is seen truncated by the kernel and dropped. Nothing is allocated per datagram. Stopping closes
 * the socket, which wakes the waiting receive.
 *
 * <p>As spead2 does, the reader asks the kernel to coalesce datagrams ({@code UDP_GRO}) where it can: a
 * message then holds several datagrams of the size given by its control message (the last may be shorter),
 * which are split back and offered one by one under the same rules; the slots are then 64 KiB each. The
 * system property {@code spead4j.udp.noGro=true} turns this off. A receive error other than the socket
 * closing is logged and the reader goes on (spead2's rule). It also asks for the kernel's drop counter
 * ({@code SO_RXQ_OVFL}) and counts the datagrams the kernel dropped as {@link DropReason#KERNEL}.
 *
 * <p><b>Threads.</b> Where the stream's {@link ThreadPool} has event loops, the reader takes no thread: it
 * registers its socket with one loop of the pool (round-robin) and, each time the socket is readable,
 * takes {@code recvmmsg} batches until the queue runs dry (a batch that is not full) or
 * {@value #FAIRNESS_BATCHES} batches were taken, leaving the rest for the next turn of the loop so that the
 * other sockets of the loop get their turn. A stop closes the socket, which wakes the loop, and the reader
 * then unregisters, releases the descriptor and frees its memory on the loop thread (at once if the stop
 * came from the loop thread itself, e.g. a stop item). Without event loops it runs on a thread of its own,
 * waiting in {@code poll}.
 */
final class NativeUdpReader extends Reader implements EventLoop.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(NativeUdpReader.class);
    /** Most datagrams per batch (spead2's mmsg_count). */
    static final int BATCH = UdpReader.BATCH;
    /** Datagrams never exceed this, so a larger maxSize needs no larger slot. */
    private static final int MAX_DATAGRAM = 65536;
    /** Longest wait in one receive; a stop closes the socket and ends the wait at once anyway. */
    private static final long WAIT_MILLIS = 1000;
    /** System property that, if {@code true}, keeps the reader from asking for GRO. */
    static final String NO_GRO_PROPERTY = "spead4j.udp.noGro";
    /** Most batches taken per readiness before the loop serves its other sockets. */
    static final int FAIRNESS_BATCHES = 16;

    private final NativeUdpSocket socket;
    private final int maxSize;
    private final int slotSize;
    /** Whether the kernel coalesces datagrams for this socket (asked at once, so queued datagrams are too). */
    private final boolean gro;
    /** Allocated when the reader starts (a reader that never runs holds no native memory). */
    private UdpReceiveBatch datagrams;
    /** The IPv6 senders seen, for {@link PacketSource}. */
    private final PacketSource.Table sources = new PacketSource.Table();
    /** The loop serving this reader, or null when it runs on a thread of its own. */
    private volatile EventLoop loop;
    // loop thread only
    private EventLoop.Registration registration;
    private boolean holdsDescriptor;
    private boolean finished;
    /** Whether the kernel reports its drop counter with each datagram. */
    private final boolean dropCounter;
    /** The kernel's drop counter already counted (reader thread only). */
    private long kernelDrops;

    NativeUdpReader(StreamBase stream, NativeUdpSocket socket, int maxSize) {
        super(stream);
        this.socket = socket;
        this.maxSize = maxSize;
        this.slotSize = (Math.min(maxSize, MAX_DATAGRAM) + 7) & ~7;
        this.gro = !Boolean.getBoolean(NO_GRO_PROPERTY) && socket.enableGro();
        this.dropCounter = socket.enableDropCounter();
    }

    @Override
    void launch(ThreadPool pool) {
        if (!launchOnLoop(pool, false, l -> loop = l, this::attach)) {
            super.launch(pool);
        }
    }

    /** On the loop thread: allocates the batch and registers the socket. */
    private void attach() {
        if (isStopRequested()) {
            finish();
            return;
        }
        try {
            datagrams = new UdpReceiveBatch(BATCH, gro ? MAX_DATAGRAM : slotSize);
            int fd = socket.acquireDescriptor();
            holdsDescriptor = true;
            registration = loop.register(fd, EventLoop.READABLE, this);
        } catch (Throwable t) {
            endAfter(t);
        }
    }

    /**
     * Ends the reader after {@code t}: a socket closed under it (by a stop, or by someone else, which is
     * logged) ends it quietly, anything else is the stream's failure.
     */
    private void endAfter(Throwable t) {
        if (t instanceof ClosedChannelException) { // AsynchronousCloseException too
            if (!isStopRequested()) {
                LOG.warn("UDP reader: socket closed by someone else; the reader ends");
            }
        } else {
            failed(t);
        }
        finish();
    }

    /** On the loop thread: the socket is readable (or hung up by a stop). */
    @Override
    public void ready(int events) {
        if (finished) {
            return;
        }
        if (isStopRequested()) {
            finish();
            return;
        }
        try {
            for (int round = 0; round < FAIRNESS_BATCHES; round++) {
                int n = receive(0);
                if (n < 0) {
                    continue;
                }
                if (n > 0 && deliver(n)) {
                    finish();
                    return;
                }
                if (n < datagrams.capacity()) {
                    return; // the queue ran dry: wait for the next readiness
                }
            }
        } catch (Throwable t) {
            endAfter(t);
        }
    }

    @Override
    public void loopEnded() {
        // only a failing loop ends with readers registered (a closed pool waits for them): stop the stream
        if (!isStopRequested()) {
            failed(new IOException("the thread pool's event loop serving " + this + " ended"));
        }
        finish();
    }

    /** On the loop thread: unregisters, releases and closes the socket, frees the batch. Idempotent. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            if (registration != null) {
                registration.cancel();
            }
        } finally {
            if (holdsDescriptor) {
                socket.releaseDescriptor();
            }
            socket.close();
            if (datagrams != null) {
                datagrams.close();
            }
            ended();
        }
    }

    @Override
    void readLoop() {
        datagrams = new UdpReceiveBatch(BATCH, gro ? MAX_DATAGRAM : slotSize);
        try {
            while (!isStopRequested()) {
                int n = receive(WAIT_MILLIS);
                if (n < 0) {
                    continue;
                }
                if (n > 0 && deliver(n)) {
                    return;
                }
            }
        } catch (ClosedChannelException e) { // AsynchronousCloseException too
            if (!isStopRequested()) {
                LOG.warn("UDP reader: socket closed by someone else; the reader ends");
            }
        } finally {
            socket.close();
            datagrams.close();
        }
    }

    /**
     * Receives a batch: without waiting ({@code waitMillis} 0, on a loop) or waiting up to that long.
     *
     * @return datagrams received, or -1 after an error the reader logs and survives (e.g. an ICMP error
     *     reported on a connected socket: spead2 logs and goes on)
     * @throws ClosedChannelException if the socket was closed
     */
    private int receive(long waitMillis) throws ClosedChannelException {
        try {
            return waitMillis == 0 ? socket.receiveReady(datagrams) : socket.receiveBatch(datagrams, waitMillis);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            LOG.warn("UDP reader: receive failed: {}", e.getMessage());
            return -1;
        }
    }

    /** Offers received datagrams (coalesced ones split back) as one batch. @return true if the stream stopped */
    private boolean deliver(int n) {
        Batch b = stream.beginBatch(batch);
        b.sources = sources;
        try {
            for (int i = 0; i < n && !b.isStopped(); i++) {
                int length = datagrams.length(i);
                if (datagrams.truncated(i)) {
                    b.dropTruncatedDatagram();
                    continue;
                }
                b.source = source(i);
                int segment = datagrams.segmentSize(i);
                long offset = datagrams.offset(i);
                if (segment <= 0) {
                    offer(b, offset, length);
                } else {
                    for (int at = 0; at < length && !b.isStopped(); at += segment) {
                        offer(b, offset + at, Math.min(segment, length - at));
                    }
                }
            }
            if (dropCounter && n > 0) {
                long counter = datagrams.dropCounter(n - 1);
                if (counter >= 0) {
                    b.drop(DropReason.KERNEL, (counter - kernelDrops) & 0xFFFF_FFFFL);
                    kernelDrops = counter;
                }
            }
        } finally {
            stream.endBatch(b);
        }
        return b.isStopped();
    }

    /**
     * The {@link PacketSource} of datagram {@code i}: its IPv4 form, or an IPv6 sender's index in the reader's
     * table (an address object is made only the first time a sender is seen).
     */
    private long source(int i) {
        long key = datagrams.sourceIpv4Key(i);
        if (key >= 0 || !datagrams.isIpv6Source(i)) {
            return key;
        }
        long high = datagrams.sourceIpv6High(i);
        long low = datagrams.sourceIpv6Low(i);
        long portScope = datagrams.sourceIpv6PortScope(i);
        key = sources.find(high, low, portScope);
        return key >= 0 ? key : sources.add(datagrams.source(i), high, low, portScope);
    }

    private void offer(Batch b, long offset, int length) {
        if (length > maxSize) {
            b.dropTruncatedDatagram();
        } else if (length > 0) {
            stream.addPacket(b, datagrams.data(), offset, length, true);
        }
    }

    @Override
    void closeSource() {
        socket.close(); // a registered socket hangs up, which wakes its loop
        EventLoop serving = loop;
        if (serving != null) {
            try { // after the handler now running, if this is the loop thread
                serving.execute(this::finish);
            } catch (RejectedExecutionException e) {
                LOG.debug("UDP reader: the loop has ended; its end released the socket");
            }
        }
    }

    @Override
    public String toString() {
        String local;
        try {
            local = String.valueOf(socket.localAddress());
        } catch (IOException e) {
            local = "closed";
        }
        return "NativeUdpReader(" + local + ", maxSize=" + maxSize + ")";
    }
}
