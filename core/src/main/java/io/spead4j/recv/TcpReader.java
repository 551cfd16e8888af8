package io.spead4j.recv;

import io.spead4j.wire.PacketDecoder;
import io.spead4j.wire.PacketHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * spead2's TCP reader: accepts one connection (or uses one already accepted), then reads SPEAD packets sent
 * back to back. Each socket read is one batch. Packets are framed with
 * {@link PacketDecoder#packetSize(MemorySegment, long, long)}: an invalid header skips 8 bytes and tries
 * again; a packet larger than {@code maxSize} is skipped; a packet must decode to exactly its framed size.
 * End of file stops the stream (live heaps are flushed); so does a connection error (spead2 only logs it).
 * Non-lossy: a slow consumer blocks the reader and TCP flow control holds the sender.
 */
final class TcpReader extends Reader {
    private static final Logger LOG = LoggerFactory.getLogger(TcpReader.class);
    /** The buffer holds this many packets of {@code maxSize} (spead2's pkts_per_buffer). */
    static final int PACKETS_PER_BUFFER = 64;

    private final ServerSocketChannel acceptor;
    private volatile SocketChannel peer;
    private final int maxSize;
    private final ByteBuffer buffer;
    private final MemorySegment memory;
    private final int capacity;
    /** Start of unprocessed bytes. */
    private int head;
    /** End of received bytes. */
    private int tail;
    /** Size of the packet at {@code head} once known, else 0. */
    private long packetSize;
    /** Bytes of an oversize packet still to skip. */
    private long toSkip;

    TcpReader(StreamBase stream, ServerSocketChannel acceptor, SocketChannel peer, int maxSize) {
        super(stream);
        this.acceptor = acceptor;
        this.peer = peer;
        this.maxSize = maxSize;
        this.capacity = maxSize * PACKETS_PER_BUFFER;
        this.buffer = ByteBuffer.allocateDirect(capacity);
        this.memory = MemorySegment.ofBuffer(buffer);
    }

    /**
     * Checks the maximum packet size of a TCP reader.
     *
     * @param maxSize the size
     * @throws IllegalArgumentException if it is not positive or its buffer would not fit in an array
     */
    static void checkMaxSize(int maxSize) {
        if (maxSize < 1 || maxSize > Integer.MAX_VALUE / PACKETS_PER_BUFFER) {
            throw new IllegalArgumentException("maxSize must be 1 to " + Integer.MAX_VALUE / PACKETS_PER_BUFFER
                    + ", got " + maxSize);
        }
    }

    @Override
    void readLoop() {
        SocketChannel channel = peer;
        try {
            if (channel == null) {
                channel = accept();
                if (channel == null) {
                    return;
                }
            }
            channel.configureBlocking(true);
            while (!isStopRequested()) {
                makeRoom();
                buffer.limit(capacity).position(tail);
                int n;
                try {
                    n = channel.read(buffer);
                } catch (IOException e) {
                    if (isStopRequested()) {
                        return;
                    }
                    LOG.warn("Error in TCP receiver: {}; stopping the stream as at end of file", e.toString());
                    n = -1;
                }
                if (deliver(n)) {
                    return;
                }
            }
        } catch (IOException e) {
            if (!isStopRequested()) {
                LOG.warn("Error in TCP receiver: {}", e.toString());
            }
        } finally {
            closeQuietly(channel);
        }
    }

    /** Accepts the one connection and closes the acceptor. @return the connection, or null on stop */
    private SocketChannel accept() {
        SocketChannel accepted;
        try {
            accepted = acceptor.accept();
        } catch (IOException e) {
            if (!isStopRequested()) {
                LOG.warn("Error in TCP accept: {}", e.toString());
            }
            return null;
        } finally {
            closeQuietly(acceptor);
        }
        peer = accepted;
        if (isStopRequested()) {
            closeQuietly(accepted);
            return null;
        }
        return accepted;
    }

    /** Moves unprocessed bytes to the start when past half the buffer (or when the buffer is full). */
    private void makeRoom() {
        if (head > capacity / 2 || (tail == capacity && head > 0)) {
            int length = tail - head;
            MemorySegment.copy(memory, head, memory, 0, length);
            head = 0;
            tail = length;
        }
    }

    /**
     * Processes one socket read as one batch.
     *
     * @param n bytes read, or -1 at end of file
     * @return true if the stream stopped
     */
    private boolean deliver(int n) {
        Batch b = stream.beginBatch(batch);
        try {
            if (b.isStopped()) {
                LOG.debug("TCP reader: discarding data received after the stream stopped");
            } else if (n < 0) {
                b.stop();
            } else {
                tail += n;
                process(b);
            }
        } finally {
            stream.endBatch(b);
        }
        return b.isStopped();
    }

    /** Frames and offers every complete packet in {@code [head, tail)}. */
    private void process(Batch b) {
        while (tail > head) {
            if (frame()) {
                return;
            }
            if (skip()) {
                return;
            }
            if (packetSize == 0) {
                continue;
            }
            if (tail - head < packetSize) {
                return;
            }
            int start = head;
            long size = packetSize;
            head += (int) size;
            packetSize = 0;
            stream.addPacket(b, memory, start, size, true);
            if (b.isStopped()) {
                LOG.debug("TCP reader: end of stream detected");
                return;
            }
        }
    }

    /** Finds the size of the packet at {@code head}. @return true if more bytes are needed */
    private boolean frame() {
        if (packetSize > 0) {
            return false;
        }
        int available = tail - head;
        long size = PacketDecoder.packetSize(memory, head, available);
        if (size == -1) {
            LOG.debug("discarding packet due to invalid header");
            head += PacketHeader.SIZE;
            return false;
        }
        if (size == 0) {
            if (available == capacity) {
                LOG.debug("discarding whole buffer due to unsupported packet length");
                head = tail;
                return false;
            }
            return true;
        }
        packetSize = size;
        if (size > maxSize) {
            LOG.debug("dropping packet due to truncation ({} bytes > maxSize {})", size, maxSize);
            toSkip = size;
        }
        return false;
    }

    /** Skips bytes of an oversize packet. @return true if more bytes must still be skipped */
    private boolean skip() {
        if (toSkip == 0) {
            return false;
        }
        if (tail == head) {
            return true;
        }
        int diff = (int) Math.min(tail - head, toSkip);
        head += diff;
        toSkip -= diff;
        if (toSkip == 0) {
            packetSize = 0;
        }
        return toSkip > 0;
    }

    @Override
    void closeSource() {
        if (acceptor != null) {
            closeQuietly(acceptor);
        }
        SocketChannel p = peer;
        if (p != null) {
            closeQuietly(p);
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing TCP socket failed", e);
        }
    }

    @Override
    public String toString() {
        return "TcpReader(maxSize=" + maxSize + ")";
    }
}
