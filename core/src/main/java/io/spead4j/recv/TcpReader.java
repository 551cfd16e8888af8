package io.spead4j.recv;

import io.spead4j.net.Sockets;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

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

    /**
     * Opens a listening socket and adds its TCP reader to a stream ({@link StreamBase#addTcpReader(int, int,
     * int, String)}); nothing is opened once the stream has stopped.
     *
     * @param stream the stream
     * @param port the port
     * @param maxSize largest packet accepted
     * @param bufferSize socket receive buffer size (0: system default)
     * @param bindHostname local address or host name to listen on; "" for every local address
     * @throws IOException if the name cannot be resolved or the socket cannot be opened or bound
     * @throws IllegalArgumentException on a bad port, size or buffer size
     */
    static void addListening(StreamBase stream, int port, int maxSize, int bufferSize, String bindHostname)
            throws IOException {
        checkMaxSize(maxSize);
        InetSocketAddress bind = Sockets.bindAddress(bindHostname, port);
        Sockets.checkBufferSize(bufferSize);
        if (!stream.isStopped()) {
            addAcceptor(stream, Sockets.openTcpListener(bind, bufferSize), maxSize);
        }
    }

    /**
     * Adds a TCP reader that accepts one connection on a listening socket ({@link
     * StreamBase#addTcpReader(ServerSocketChannel, int)}).
     *
     * @param stream the stream
     * @param acceptor a bound, listening socket; the stream owns it
     * @param maxSize largest packet accepted
     */
    static void addAcceptor(StreamBase stream, ServerSocketChannel acceptor, int maxSize) {
        Objects.requireNonNull(acceptor, "acceptor");
        checkMaxSize(maxSize);
        stream.addOwnedReader(new TcpReader(stream, acceptor, null, maxSize), acceptor);
    }

    /**
     * Adds a TCP reader of a connection already accepted or connected ({@link
     * StreamBase#addTcpReader(SocketChannel, int)}).
     *
     * @param stream the stream
     * @param connection the connection; the stream owns it
     * @param maxSize largest packet accepted
     */
    static void addConnection(StreamBase stream, SocketChannel connection, int maxSize) {
        Objects.requireNonNull(connection, "connection");
        checkMaxSize(maxSize);
        stream.addOwnedReader(new TcpReader(stream, null, connection, maxSize), connection);
    }
}
