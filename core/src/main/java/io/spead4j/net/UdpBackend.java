package io.spead4j.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which UDP socket implementation the transports open: the FFM {@link NativeUdpSocket} (one
 * {@code recvmmsg}/{@code sendmmsg} per batch) or NIO's {@link java.nio.channels.DatagramChannel} (one system
 * call per datagram). Chosen by the system property {@value #PROPERTY}, read each time a transport opens a
 * socket:
 * <ul>
 *   <li>{@code auto} (or unset): native where {@link NativeUdpSocket#isSupported()} (Linux x86-64/aarch64
 *   with native access), else NIO;</li>
 *   <li>{@code native}: native, and opening a socket fails where it is unsupported;</li>
 *   <li>{@code nio}: NIO always.</li>
 * </ul>
 * The outcome is logged once at info. Sockets passed in by the caller ({@code DatagramChannel} forms) are
 * always used through NIO.
 */
public final class UdpBackend {
    /** The system property that chooses: {@code auto}, {@code native} or {@code nio}. */
    public static final String PROPERTY = "spead4j.udp";
    private static final Logger LOG = LoggerFactory.getLogger(UdpBackend.class);
    private static final AtomicBoolean LOGGED_NATIVE = new AtomicBoolean();
    private static final AtomicBoolean LOGGED_NIO = new AtomicBoolean();

    private UdpBackend() {
    }

    /**
     * Whether the next UDP socket a transport opens should be a {@link NativeUdpSocket}.
     *
     * @return true for native, false for NIO
     * @throws IllegalStateException if the property asks for native sockets where they are unsupported, or
     *     has a value other than auto, native or nio
     */
    public static boolean useNative() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        boolean result;
        switch (value) {
            case "auto", "" -> result = NativeUdpSocket.isSupported();
            case "native" -> {
                if (!NativeUdpSocket.isSupported()) {
                    throw new IllegalStateException(PROPERTY + "=native but native UDP sockets are unavailable: "
                            + NativeUdpSocket.unsupportedReason());
                }
                result = true;
            }
            case "nio" -> result = false;
            default -> throw new IllegalStateException(PROPERTY + " must be auto, native or nio, got " + value);
        }
        if (result) {
            if (LOGGED_NATIVE.compareAndSet(false, true)) {
                LOG.info("UDP: native sockets (recvmmsg/sendmmsg through java.lang.foreign; {}={})", PROPERTY, value);
            }
        } else if (LOGGED_NIO.compareAndSet(false, true)) {
            LOG.info("UDP: NIO DatagramChannel ({}={}{})", PROPERTY, value,
                    NativeUdpSocket.isSupported() ? "" : "; native unavailable: " + NativeUdpSocket.unsupportedReason());
        }
        return result;
    }
}
