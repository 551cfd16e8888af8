package io.spead4j.recv;

import io.spead4j.net.NativeSockets;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.Sockets;
import io.spead4j.net.UdpBackend;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.Objects;

/**
 * Creates UDP readers for {@link StreamBase}'s {@code addUdpReader} forms: checks the arguments, opens the
 * receiving socket (the native {@link NativeUdpReader} or the NIO {@link UdpReader}, as {@link UdpBackend}
 * chooses) and adds the reader, which owns the socket from then on. Nothing is opened once the stream has
 * stopped.
 */
final class UdpReaders {
    private UdpReaders() {
    }

    /**
     * Opens a socket bound to a local address and port and adds its reader ({@link
     * StreamBase#addUdpReader(int, int, int, String)}).
     *
     * @param stream the stream
     * @param port the port
     * @param maxSize largest datagram accepted (at least 1)
     * @param bufferSize socket receive buffer size (0: system default)
     * @param bindHostname local address or host name to bind to; "" for every local address
     * @throws IOException if the name cannot be resolved or the socket cannot be opened or bound
     * @throws IllegalArgumentException on a bad port, size or buffer size
     */
    static void addBound(StreamBase stream, int port, int maxSize, int bufferSize, String bindHostname)
            throws IOException {
        UdpReader.checkMaxSize(maxSize);
        InetSocketAddress bind = Sockets.bindAddress(bindHostname, port);
        Sockets.checkBufferSize(bufferSize);
        if (!stream.isStopped()) {
            addOpened(stream, bind, bufferSize, maxSize);
        }
    }

    /**
     * Adds the NIO reader of a socket the caller opened and bound ({@link
     * StreamBase#addUdpReader(DatagramChannel, int)}).
     *
     * @param stream the stream
     * @param channel the socket; the stream owns it from now on
     * @param maxSize largest datagram accepted (at least 1)
     */
    static void addChannel(StreamBase stream, DatagramChannel channel, int maxSize) {
        Objects.requireNonNull(channel, "channel");
        UdpReader.checkMaxSize(maxSize);
        stream.addOwnedReader(new UdpReader(stream, channel, maxSize), channel);
    }

    /**
     * Opens a socket that receives an IPv4 multicast group (or, as spead2 allows, unicast on the interface
     * address given as the group) and adds its reader ({@link StreamBase#addUdpReader(InetAddress, int, int,
     * int, InetAddress)}).
     *
     * @param stream the stream
     * @param multicastGroup an IPv4 multicast address (or the interface address)
     * @param port the port
     * @param maxSize largest datagram accepted
     * @param bufferSize socket receive buffer size (0: system default)
     * @param interfaceAddress address of the interface to join on; the wildcard address (or null) picks one
     * @throws IOException if the socket cannot be opened, bound or joined
     * @throws IllegalArgumentException if the group is neither an IPv4 multicast address nor the interface
     *     address, or on a bad argument
     */
    static void addIpv4Multicast(StreamBase stream, InetAddress multicastGroup, int port, int maxSize,
                                 int bufferSize, InetAddress interfaceAddress) throws IOException {
        Objects.requireNonNull(multicastGroup, "multicastGroup");
        if (interfaceAddress != null && !(interfaceAddress instanceof Inet4Address)) {
            throw new IllegalArgumentException("interface address is not an IPv4 address");
        }
        InetAddress group = multicastGroup.isAnyLocalAddress() && interfaceAddress != null
                ? interfaceAddress : multicastGroup;
        if (!(group instanceof Inet4Address)) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not an IPv4 multicast address");
        }
        if (!group.isMulticastAddress() && !group.equals(interfaceAddress)) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not an IPv4 multicast address and "
                    + "does not match the interface address");
        }
        UdpReader.checkMaxSize(maxSize);
        Sockets.checkPort(port);
        Sockets.checkBufferSize(bufferSize);
        if (stream.isStopped()) {
            return;
        }
        if (!group.isMulticastAddress()) {
            // spead2 accepts the interface's own address here: plain unicast on that address
            addOpened(stream, new InetSocketAddress(group, port), bufferSize, maxSize);
            return;
        }
        NetworkInterface ni = Sockets.interfaceOf(interfaceAddress, StandardProtocolFamily.INET);
        addOpenedMulticast(stream, group, port, bufferSize, ni, maxSize);
    }

    /**
     * Opens a socket that receives an IPv6 multicast group and adds its reader ({@link
     * StreamBase#addUdpReader(InetAddress, int, int, int, int)}).
     *
     * @param stream the stream
     * @param multicastGroup an IPv6 multicast address
     * @param port the port
     * @param maxSize largest datagram accepted
     * @param bufferSize socket receive buffer size (0: system default)
     * @param interfaceIndex index of the interface to join on; 0 picks an interface
     * @throws IOException if the socket cannot be opened, bound or joined
     * @throws IllegalArgumentException if the group is not an IPv6 multicast address, or on a bad argument
     */
    static void addIpv6Multicast(StreamBase stream, InetAddress multicastGroup, int port, int maxSize,
                                 int bufferSize, int interfaceIndex) throws IOException {
        Objects.requireNonNull(multicastGroup, "multicastGroup");
        if (!(multicastGroup instanceof Inet6Address) || !multicastGroup.isMulticastAddress()) {
            throw new IllegalArgumentException(multicastGroup.getHostAddress() + " is not an IPv6 multicast address");
        }
        UdpReader.checkMaxSize(maxSize);
        NetworkInterface ni = Sockets.interfaceOf(interfaceIndex);
        if (!stream.isStopped()) {
            addOpenedMulticast(stream, multicastGroup, port, bufferSize, ni, maxSize);
        }
    }

    /** Opens a receiving socket (native or NIO, see {@link UdpBackend}) and adds its reader. */
    private static void addOpened(StreamBase stream, InetSocketAddress bind, int bufferSize, int maxSize)
            throws IOException {
        if (UdpBackend.useNative()) {
            addNative(stream, NativeSockets.openUdpReceiver(bind, bufferSize), maxSize);
        } else {
            addChannel(stream, Sockets.openUdpReceiver(bind, bufferSize), maxSize);
        }
    }

    /** Opens a multicast receiving socket (native or NIO, see {@link UdpBackend}) and adds its reader. */
    private static void addOpenedMulticast(StreamBase stream, InetAddress group, int port, int bufferSize,
                                           NetworkInterface ni, int maxSize) throws IOException {
        if (UdpBackend.useNative()) {
            addNative(stream, NativeSockets.openUdpMulticastReceiver(group, port, bufferSize, ni), maxSize);
        } else {
            addChannel(stream, Sockets.openUdpMulticastReceiver(group, port, bufferSize, ni), maxSize);
        }
    }

    private static void addNative(StreamBase stream, NativeUdpSocket socket, int maxSize) {
        stream.addOwnedReader(new NativeUdpReader(stream, socket, maxSize), socket);
    }
}
