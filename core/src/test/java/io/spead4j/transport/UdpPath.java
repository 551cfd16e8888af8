package io.spead4j.transport;

import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.UdpBackend;
import io.spead4j.recv.StreamBase;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * The two UDP socket paths the transports run over, so a test can run over each: NIO's
 * {@code DatagramChannel} and the FFM {@link NativeUdpSocket}. The path is chosen through the
 * {@value UdpBackend#PROPERTY} system property, set for the duration of a {@link #select()} (the tests of
 * this module run one at a time).
 */
enum UdpPath {
    NIO("nio"),
    NATIVE("native");

    private final String property;

    UdpPath(String property) {
        this.property = property;
    }

    /** Restores the previous choice when closed. */
    interface Selection extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Makes transports open sockets of this path until the returned selection is closed; skips the test if the
     * native path is unsupported here (with the reason).
     *
     * @return the selection to close
     */
    Selection select() {
        if (this == NATIVE) {
            Assumptions.assumeTrue(NativeUdpSocket.isSupported(),
                    () -> "native UDP sockets unsupported here: " + NativeUdpSocket.unsupportedReason());
        }
        String old = System.getProperty(UdpBackend.PROPERTY);
        System.setProperty(UdpBackend.PROPERTY, property);
        return () -> {
            if (old == null) {
                System.clearProperty(UdpBackend.PROPERTY);
            } else {
                System.setProperty(UdpBackend.PROPERTY, old);
            }
        };
    }

    /** A test body that runs over one path. */
    interface Body {
        /** @throws Exception whatever the test throws */
        void run() throws Exception;
    }

    /**
     * Runs a test body with this path selected ({@link #select()}), then restores the previous choice.
     *
     * @param body the test body
     * @throws Exception whatever the body throws
     */
    void run(Body body) throws Exception {
        Selection selection = select();
        try {
            body.run();
        } finally {
            selection.close();
        }
    }

    /**
     * Adds a UDP reader on a free port of {@code loopback} over this path: NIO through a channel the test
     * opens (the socket form), native through the form that opens its own socket (port 0).
     *
     * @param receiver the stream
     * @param loopback the address to bind
     * @param maxSize the reader's maxSize
     * @param bufferSize receive buffer size, 0 for the default
     * @return the address the reader receives on
     * @throws IOException if the socket cannot be opened
     */
    InetSocketAddress addReader(StreamBase receiver, InetAddress loopback, int maxSize, int bufferSize)
            throws IOException {
        if (this == NIO) {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(loopback, 0));
            if (bufferSize > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferSize);
            }
            InetSocketAddress at = (InetSocketAddress) ch.getLocalAddress();
            receiver.addUdpReader(ch, maxSize);
            return at;
        }
        Selection selection = select();
        try {
            receiver.addUdpReader(0, maxSize, bufferSize, loopback.getHostAddress());
        } finally {
            selection.close();
        }
        List<InetSocketAddress> all = receiver.localAddresses();
        return all.getLast();
    }
}
