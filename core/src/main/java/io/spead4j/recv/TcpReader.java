package io.spead4j.recv;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * spead2's TCP reader: accepts one connection (or uses one already accepted), then reads SPEAD packets sent
 * back to back, framed exactly as {@link ChannelReader} frames any byte stream (each socket read is one
 * batch; an invalid header skips 8 bytes; a packet larger than {@code maxSize} is skipped; a packet must
 * decode to exactly its framed size). End of file stops the stream (live heaps are flushed); so does a
 * connection error (spead2 only logs it). Non-lossy: a slow consumer blocks the reader and TCP flow control
 * holds the sender.
 */
final class TcpReader extends ChannelReader {
    private final ServerSocketChannel acceptor;
    private volatile SocketChannel peer;

    TcpReader(StreamBase stream, ServerSocketChannel acceptor, SocketChannel peer, int maxSize) {
        super(stream, null, "TCP receiver", maxSize);
        this.acceptor = acceptor;
        this.peer = peer;
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

    /** Accepts the one connection (closing the acceptor), or takes the one given. */
    @Override
    ReadableByteChannel openChannel() throws IOException {
        SocketChannel channel = peer;
        if (channel == null) {
            try {
                channel = acceptor.accept();
            } finally {
                closeQuietly(acceptor);
            }
            peer = channel;
            if (isStopRequested()) {
                closeQuietly(channel);
                return null;
            }
        }
        channel.configureBlocking(true);
        return channel;
    }

    @Override
    void closeSource() {
        closeQuietly(acceptor);
        closeQuietly(peer);
        super.closeSource();
    }
}
