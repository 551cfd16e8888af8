package io.spead4j.recv;

import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.UdpReceiveBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * The UDP reader over a {@link NativeUdpSocket}: one {@code recvmmsg} takes up to {@value #BATCH} datagrams
 * into a reusable slab and they go to the stream's packet step as one batch, straight from the kernel's
 * copy (spead2's reader). The rules are {@link UdpReader}'s: a datagram must be 1 to {@code maxSize} bytes
 * and decode to exactly its length, else it is dropped (debug log) and not counted; a datagram longer than
 * its slot is seen truncated by the kernel and dropped. Nothing is allocated per datagram. Stopping closes
 * the socket, which wakes the waiting receive.
 */
final class NativeUdpReader extends Reader {
    private static final Logger LOG = LoggerFactory.getLogger(NativeUdpReader.class);
    /** Most datagrams per batch (spead2's mmsg_count). */
    static final int BATCH = UdpReader.BATCH;
    /** Datagrams never exceed this, so a larger maxSize needs no larger slot. */
    private static final int MAX_DATAGRAM = 65536;
    /** Longest wait in one receive; a stop closes the socket and ends the wait at once anyway. */
    private static final long WAIT_MILLIS = 1000;

    private final NativeUdpSocket socket;
    private final int maxSize;
    private final int slotSize;
    /** Allocated when the reader starts (a reader that never runs holds no native memory). */
    private UdpReceiveBatch datagrams;

    NativeUdpReader(StreamBase stream, NativeUdpSocket socket, int maxSize) {
        super(stream);
        this.socket = socket;
        this.maxSize = maxSize;
        this.slotSize = (Math.min(maxSize, MAX_DATAGRAM) + 7) & ~7;
    }

    @Override
    void readLoop() {
        datagrams = new UdpReceiveBatch(BATCH, slotSize);
        try {
            while (!isStopRequested()) {
                int n = socket.receiveBatch(datagrams, WAIT_MILLIS);
                if (n > 0 && deliver(n)) {
                    return;
                }
            }
        } catch (ClosedChannelException e) { // AsynchronousCloseException too
            if (!isStopRequested()) {
                LOG.warn("UDP reader: socket closed by someone else; the reader ends");
            }
        } catch (IOException e) {
            if (!isStopRequested()) {
                LOG.warn("UDP reader: socket failed; the reader ends", e);
            }
        } finally {
            socket.close();
            datagrams.close();
        }
    }

    /** Offers received datagrams as one batch. @return true if the stream stopped */
    private boolean deliver(int n) {
        Batch b = stream.beginBatch(batch);
        try {
            for (int i = 0; i < n && !b.isStopped(); i++) {
                int length = datagrams.length(i);
                if (length > maxSize || datagrams.truncated(i)) {
                    LOG.debug("dropped packet due to truncation");
                } else if (length > 0) {
                    stream.addPacket(b, datagrams.data(), datagrams.offset(i), length, true);
                }
            }
        } finally {
            stream.endBatch(b);
        }
        return b.isStopped();
    }

    @Override
    void closeSource() {
        socket.close();
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
