package io.spead4j.recv;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * spead2's UDP reader: waits until the socket is readable, then takes up to {@value #BATCH} datagrams
 * without blocking and offers them to the stream as one batch (spead2's {@code recvmmsg} step). Each
 * datagram lands in its own slot of one reusable direct buffer of {@code maxSize + 1} bytes, so an
 * oversize datagram is seen (it fills the slot) and dropped. A datagram must be 1 to {@code maxSize} bytes
 * and decode to exactly its length; anything else is dropped (debug log) and not counted. Lossy: when the
 * stream's consumer is slow the reader blocks and the kernel drops. Stopping closes the socket.
 */
final class UdpReader extends Reader {
    private static final Logger LOG = LoggerFactory.getLogger(UdpReader.class);
    /** Most datagrams per batch (spead2's mmsg_count). */
    static final int BATCH = 64;
    /** Datagrams never exceed this, so a larger maxSize needs no larger slot. */
    private static final int MAX_DATAGRAM = 65536;

    private static final Consumer<SelectionKey> IGNORE_KEY = key -> { };

    private final DatagramChannel channel;
    private final int maxSize;
    private final MemorySegment memory;
    private final ByteBuffer[] slots;
    private final int slotSize;
    private final int[] lengths = new int[BATCH];
    /** The {@link PacketSource} of each received datagram. */
    private final long[] sources = new long[BATCH];
    private final PacketSource.Table sourceTable = new PacketSource.Table();
    private volatile Selector selector;

    UdpReader(StreamBase stream, DatagramChannel channel, int maxSize) {
        super(stream);
        this.channel = channel;
        this.maxSize = maxSize;
        int slot = Math.min(maxSize, MAX_DATAGRAM) + 1;
        this.slotSize = (slot + 7) & ~7;
        ByteBuffer all = ByteBuffer.allocateDirect(slotSize * BATCH);
        this.memory = MemorySegment.ofBuffer(all);
        this.slots = new ByteBuffer[BATCH];
        for (int i = 0; i < BATCH; i++) {
            slots[i] = all.slice(i * slotSize, slot);
        }
    }

    /**
     * Checks the maximum datagram size of a UDP reader.
     *
     * @param maxSize the size
     * @throws IllegalArgumentException if it is not positive
     */
    static void checkMaxSize(int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1, got " + maxSize);
        }
    }

    @Override
    void readLoop() {
        try (Selector sel = Selector.open()) {
            selector = sel;
            if (isStopRequested()) {
                return;
            }
            channel.configureBlocking(false);
            channel.register(sel, SelectionKey.OP_READ);
            while (!isStopRequested()) {
                int n = receive();
                if (n == 0) {
                    sel.select(IGNORE_KEY);
                    continue;
                }
                if (deliver(n)) {
                    return;
                }
            }
        } catch (ClosedChannelException e) {
            if (!isStopRequested()) {
                LOG.warn("UDP reader: socket closed by someone else; the reader ends");
            }
        } catch (IOException e) {
            if (!isStopRequested()) {
                LOG.warn("UDP reader: socket failed; the reader ends", e);
            }
        } finally {
            closeQuietly();
        }
    }

    /** Takes up to {@value #BATCH} datagrams without blocking. @return how many */
    private int receive() throws IOException {
        int n = 0;
        while (n < BATCH) {
            ByteBuffer slot = slots[n];
            slot.clear();
            try {
                java.net.SocketAddress from = channel.receive(slot);
                if (from == null) {
                    break;
                }
                sources[n] = PacketSource.of(from, sourceTable);
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // e.g. an ICMP error reported on a connected socket: spead2 logs and goes on
                LOG.warn("UDP reader: receive failed: {}", e.toString());
                break;
            }
            lengths[n] = slot.position();
            n++;
        }
        return n;
    }

    /** Offers received datagrams as one batch. @return true if the stream stopped */
    private boolean deliver(int n) {
        Batch b = stream.beginBatch(batch);
        b.sources = sourceTable;
        try {
            for (int i = 0; i < n && !b.isStopped(); i++) {
                int length = lengths[i];
                if (length > maxSize) {
                    b.dropTruncatedDatagram();
                } else if (length > 0) {
                    b.source = sources[i];
                    stream.addPacket(b, memory, (long) i * slotSize, length, true);
                }
            }
        } finally {
            stream.endBatch(b);
        }
        return b.isStopped();
    }

    @Override
    void closeSource() {
        closeQuietly();
        Selector sel = selector;
        if (sel != null) {
            sel.wakeup();
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing UDP socket failed", e);
        }
    }

    @Override
    public String toString() {
        String local;
        try {
            local = String.valueOf(channel.getLocalAddress());
        } catch (IOException e) {
            local = "closed";
        }
        return "UdpReader(" + local + ", maxSize=" + maxSize + ")";
    }
}
