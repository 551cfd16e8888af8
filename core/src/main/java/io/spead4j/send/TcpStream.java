package io.spead4j.send;

import io.spead4j.ThreadPool;
import io.spead4j.net.Sockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;

/**
 * A send stream over one TCP connection, spead2's {@code send::TcpStream}: packets are written back to back
 * (SPEAD needs no further framing); one substream. The constructor connects (blocking) and throws if the
 * connection fails. TCP delivers everything or fails: once a write fails, that packet and the rest of its
 * batch fail with the {@link IOException}, and so will later ones. {@link #close()} closes the connection,
 * which the receiver sees as end of stream.
 *
 * <p>The constructors that connect check every argument first and connect last, so a constructor that
 * throws (e.g. connection refused) leaves no socket open. The constructor that takes the caller's socket
 * takes it over only when it returns: if it throws, the socket is left open and is still the caller's.
 */
public final class TcpStream extends Stream {
    private static final Logger LOG = LoggerFactory.getLogger(TcpStream.class);
    /** spead2's default socket send buffer size (208 KiB). */
    public static final int DEFAULT_BUFFER_SIZE = 208 * 1024;

    private final SocketChannel channel;

    /**
     * Connects to one endpoint with the default buffer size.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoint the receiver
     * @param config the configuration
     * @throws IOException if the connection fails
     */
    public TcpStream(ThreadPool threadPool, InetSocketAddress endpoint, StreamConfig config) throws IOException {
        this(threadPool, List.of(endpoint), config, DEFAULT_BUFFER_SIZE, null);
    }

    /**
     * Connects to the one endpoint of a list (spead2's form) with the default buffer size.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints exactly one receiver
     * @param config the configuration
     * @throws IOException if the connection fails
     */
    public TcpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config)
            throws IOException {
        this(threadPool, endpoints, config, DEFAULT_BUFFER_SIZE, null);
    }

    /**
     * Connects to the one endpoint of a list.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints exactly one receiver
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: system default; a warning is logged if less is granted)
     * @throws IOException if the connection fails
     */
    public TcpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config, int bufferSize)
            throws IOException {
        this(threadPool, endpoints, config, bufferSize, null);
    }

    /**
     * Connects to the one endpoint of a list from a local interface address.
     *
     * @param threadPool pool providing the writer thread
     * @param endpoints exactly one receiver
     * @param config the configuration
     * @param bufferSize socket send buffer size (0: system default)
     * @param interfaceAddress local address to connect from, or null / the wildcard address for any
     * @throws IOException if the connection fails
     * @throws IllegalArgumentException if {@code endpoints} does not hold exactly one endpoint, or
     *     {@code bufferSize < 0}
     */
    public TcpStream(ThreadPool threadPool, List<InetSocketAddress> endpoints, StreamConfig config, int bufferSize,
                     InetAddress interfaceAddress) throws IOException {
        super(threadPool, config, 1);
        InetSocketAddress endpoint = single(endpoints);
        Sockets.checkBufferSize(bufferSize);
        // last, once every argument has been checked: connectTcp closes its socket itself if it fails
        this.channel = Sockets.connectTcp(endpoint, interfaceAddress, bufferSize);
    }

    /**
     * Creates a stream on a connection the caller made (spead2's socket form). The stream owns it from now
     * on, puts it in blocking mode and closes it in {@link #close()}.
     *
     * @param threadPool pool providing the writer thread
     * @param channel a connected socket
     * @param config the configuration
     * @throws IOException if the socket cannot be put in blocking mode (it is then left open, still the
     *     caller's)
     * @throws IllegalArgumentException if the socket is not connected
     */
    public TcpStream(ThreadPool threadPool, SocketChannel channel, StreamConfig config) throws IOException {
        super(threadPool, config, 1);
        this.channel = Objects.requireNonNull(channel, "channel");
        if (!channel.isConnected()) {
            throw new IllegalArgumentException("the socket is not connected");
        }
        channel.configureBlocking(true);
    }

    private static InetSocketAddress single(List<InetSocketAddress> endpoints) {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.size() != 1) {
            throw new IllegalArgumentException("endpoints must contain exactly one element, got " + endpoints.size());
        }
        return endpoints.get(0);
    }

    /** {@return the connection (for its addresses; do not write on it)} */
    public SocketChannel channel() {
        return channel;
    }

    @Override
    protected void writePackets(PacketBatch batch) {
        ByteBuffer view = batch.buffer();
        view.limit(batch.bytes()).position(0);
        try {
            while (view.hasRemaining()) {
                channel.write(view);
            }
        } catch (IOException e) {
            int done = view.position();
            LOG.debug("TCP write failed after {} of {} bytes", done, batch.bytes(), e);
            for (int i = 0; i < batch.size(); i++) {
                if (batch.offset(i) + batch.length(i) > done) {
                    batch.fail(i, e);
                }
            }
        }
    }

    /** Flushes and stops the writer (see {@link Stream#close()}), then closes the connection. */
    @Override
    public void close() {
        closeAndRelease(channel);
    }
}
