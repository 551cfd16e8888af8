package io.spead4j.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * Socket plumbing shared by the UDP and TCP transports of {@code recv} and {@code send} (spead2's
 * {@code common_socket}): opening, binding and joining sockets the way spead2 does, and socket buffer sizes
 * with a warning when the operating system grants less than asked. Not part of the public API.
 */
public final class Sockets {
    private static final Logger LOG = LoggerFactory.getLogger(Sockets.class);

    private Sockets() {
    }

    /**
     * Sets the receive buffer size ({@code SO_RCVBUF}); logs a warning if it fails or the system grants less
     * (Linux silently caps it at {@code net.core.rmem_max}).
     *
     * @param channel the socket
     * @param size bytes; 0 leaves the system default
     * @throws IllegalArgumentException if {@code size < 0}
     */
    public static void setReceiveBufferSize(NetworkChannel channel, int size) {
        setBufferSize(channel, StandardSocketOptions.SO_RCVBUF, size, "net.core.rmem_max");
    }

    /**
     * Sets the send buffer size ({@code SO_SNDBUF}); logs a warning if it fails or the system grants less.
     *
     * @param channel the socket
     * @param size bytes; 0 leaves the system default
     * @throws IllegalArgumentException if {@code size < 0}
     */
    public static void setSendBufferSize(NetworkChannel channel, int size) {
        setBufferSize(channel, StandardSocketOptions.SO_SNDBUF, size, "net.core.wmem_max");
    }

    private static void setBufferSize(NetworkChannel channel, SocketOption<Integer> option, int size, String limit) {
        checkBufferSize(size);
        if (size == 0) {
            return;
        }
        try {
            channel.setOption(option, size);
            int actual = channel.getOption(option);
            if (actual < size) {
                LOG.warn("requested socket buffer size {} ({}) but only received {}: raise {} to allow more",
                        size, option.name(), actual, limit);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("request for socket buffer size {} ({}) failed: {}", size, option.name(), e.toString());
        }
    }

    /**
     * Validates a buffer size argument.
     *
     * @param size bytes, 0 for the system default
     * @throws IllegalArgumentException if {@code size < 0}
     */
    public static void checkBufferSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("buffer size must be at least 0 (0: system default), got " + size);
        }
    }

    /**
     * Validates a port argument.
     *
     * @param port the port, 0 to 65535
     * @throws IllegalArgumentException if out of range
     */
    public static void checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
    }

    /** @return the protocol family of an address @param address an IPv4 or IPv6 address */
    public static ProtocolFamily familyOf(InetAddress address) {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /**
     * Checks that endpoints are resolved and all of one family, and returns it.
     *
     * @param endpoints destinations, at least one
     * @return their family
     * @throws IllegalArgumentException if the list is empty, an endpoint is unresolved or families are mixed
     */
    public static ProtocolFamily endpointFamily(List<InetSocketAddress> endpoints) {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("Endpoint list must be non-empty");
        }
        ProtocolFamily family = null;
        for (InetSocketAddress e : endpoints) {
            Objects.requireNonNull(e, "endpoint");
            if (e.isUnresolved()) {
                throw new IllegalArgumentException("endpoint " + e + " is unresolved");
            }
            ProtocolFamily f = familyOf(e.getAddress());
            if (family != null && f != family) {
                throw new IllegalArgumentException("Endpoint " + e + " does not match the protocol of the others");
            }
            family = f;
        }
        return family;
    }

    /**
     * Resolves a bind address as spead2 does: an empty host name means the wildcard address.
     *
     * @param hostname host name or literal address, or "" for any
     * @param port the port
     * @return the socket address
     * @throws IOException if the host name cannot be resolved
     */
    public static InetSocketAddress bindAddress(String hostname, int port) throws IOException {
        Objects.requireNonNull(hostname, "hostname");
        checkPort(port);
        if (hostname.isEmpty()) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(InetAddress.getByName(hostname), port);
    }

    /**
     * The network interface that has an address: spead2's {@code interface_address}. The wildcard address
     * (or null) picks {@link #defaultMulticastInterface(ProtocolFamily)}.
     *
     * @param address a local address, or null / wildcard for the default
     * @param family the family needed
     * @return the interface
     * @throws IOException if no interface has that address
     */
    public static NetworkInterface interfaceOf(InetAddress address, ProtocolFamily family) throws IOException {
        if (address == null || address.isAnyLocalAddress()) {
            return defaultMulticastInterface(family);
        }
        NetworkInterface ni = NetworkInterface.getByInetAddress(address);
        if (ni == null) {
            throw new SocketException("no network interface has address " + address.getHostAddress());
        }
        return ni;
    }

    /**
     * The network interface with an index: spead2's IPv6 {@code interface_index}; 0 picks
     * {@link #defaultMulticastInterface(ProtocolFamily)}.
     *
     * @param index interface index, 0 for the default
     * @return the interface
     * @throws IOException if there is no such interface
     */
    public static NetworkInterface interfaceOf(int index) throws IOException {
        if (index < 0) {
            throw new IllegalArgumentException("interface index must be at least 0, got " + index);
        }
        if (index == 0) {
            return defaultMulticastInterface(StandardProtocolFamily.INET6);
        }
        NetworkInterface ni = NetworkInterface.getByIndex(index);
        if (ni == null) {
            throw new SocketException("no network interface has index " + index);
        }
        return ni;
    }

    /**
     * The interface used when the caller names none. The kernel would choose by route (spead2 passes the
     * wildcard address); Java needs an interface to join a group, so this picks the first interface that is
     * up, supports multicast, is not loopback and has an address of the family, else the loopback
     * interface.
     *
     * @param family the family
     * @return an interface
     * @throws IOException if the machine has no usable interface
     */
    public static NetworkInterface defaultMulticastInterface(ProtocolFamily family) throws IOException {
        NetworkInterface loopback = null;
        Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
        while (all != null && all.hasMoreElements()) {
            NetworkInterface ni = all.nextElement();
            if (!ni.isUp() || !hasAddress(ni, family)) {
                continue;
            }
            if (ni.isLoopback()) {
                loopback = loopback == null ? ni : loopback;
            } else if (ni.supportsMulticast()) {
                return ni;
            }
        }
        if (loopback != null) {
            return loopback;
        }
        throw new SocketException("no network interface for multicast");
    }

    private static boolean hasAddress(NetworkInterface ni, ProtocolFamily family) {
        Enumeration<InetAddress> addresses = ni.getInetAddresses();
        while (addresses.hasMoreElements()) {
            if (familyOf(addresses.nextElement()) == family) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens a UDP socket bound to a local address, for receiving unicast (or, on Linux, multicast if the
     * address is a group: prefer {@link #openUdpMulticastReceiver}).
     *
     * @param bind local address (wildcard address for any)
     * @param bufferSize receive buffer size, 0 for the system default
     * @return the bound channel (blocking mode)
     * @throws IOException if the socket cannot be opened or bound
     */
    public static DatagramChannel openUdpReceiver(InetSocketAddress bind, int bufferSize) throws IOException {
        checkBufferSize(bufferSize);
        DatagramChannel ch = bind.getAddress().isAnyLocalAddress()
                ? DatagramChannel.open() : DatagramChannel.open(familyOf(bind.getAddress()));
        try {
            if (bind.getAddress().isMulticastAddress()) {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.join(bind.getAddress(), defaultMulticastInterface(familyOf(bind.getAddress())));
            }
            setReceiveBufferSize(ch, bufferSize);
            ch.bind(bind);
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * Opens a UDP socket that receives a multicast group as spead2 does: address reuse on, bound to the
     * group address and port, group joined on the interface.
     *
     * @param group the multicast group
     * @param port the port
     * @param bufferSize receive buffer size, 0 for the system default
     * @param networkInterface the interface to join on
     * @return the channel (blocking mode)
     * @throws IOException if the socket cannot be opened, bound or joined
     * @throws IllegalArgumentException if {@code group} is not a multicast address
     */
    public static DatagramChannel openUdpMulticastReceiver(InetAddress group, int port, int bufferSize,
                                                           NetworkInterface networkInterface) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        checkPort(port);
        checkBufferSize(bufferSize);
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not a multicast address");
        }
        DatagramChannel ch = DatagramChannel.open(familyOf(group));
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            setReceiveBufferSize(ch, bufferSize);
            ch.bind(new InetSocketAddress(group, port));
            ch.join(group, networkInterface);
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * Opens a UDP socket for sending, optionally bound to a local interface address.
     *
     * @param family the family of the destinations
     * @param interfaceAddress local address to bind to, or null / wildcard for none
     * @param bufferSize send buffer size, 0 for the system default
     * @return the channel (blocking mode)
     * @throws IOException if the socket cannot be opened or bound
     */
    public static DatagramChannel openUdpSender(ProtocolFamily family, InetAddress interfaceAddress, int bufferSize)
            throws IOException {
        checkBufferSize(bufferSize);
        if (interfaceAddress != null && !interfaceAddress.isAnyLocalAddress() && familyOf(interfaceAddress) != family) {
            throw new IllegalArgumentException("interface address " + interfaceAddress.getHostAddress()
                    + " is not of the endpoints' protocol family " + family);
        }
        DatagramChannel ch = DatagramChannel.open(family);
        try {
            if (interfaceAddress != null && !interfaceAddress.isAnyLocalAddress()) {
                ch.bind(new InetSocketAddress(interfaceAddress, 0));
            }
            setSendBufferSize(ch, bufferSize);
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * Opens a UDP socket for sending to multicast groups: hop limit (TTL) set, outgoing interface set if one
     * is given.
     *
     * @param endpoints the destinations, all multicast groups of one family
     * @param ttl multicast TTL / hop limit, 0 to 255
     * @param networkInterface outgoing interface, or null for the system's choice
     * @param bufferSize send buffer size, 0 for the system default
     * @return the channel (blocking mode)
     * @throws IOException if the socket cannot be opened or configured
     * @throws IllegalArgumentException if an endpoint is not a multicast address or ttl is out of range
     */
    public static DatagramChannel openUdpMulticastSender(List<InetSocketAddress> endpoints, int ttl,
                                                         NetworkInterface networkInterface, int bufferSize)
            throws IOException {
        ProtocolFamily family = endpointFamily(endpoints);
        for (InetSocketAddress e : endpoints) {
            if (!e.getAddress().isMulticastAddress()) {
                throw new IllegalArgumentException("endpoint " + e + " is not a multicast address");
            }
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 0 to 255, got " + ttl);
        }
        checkBufferSize(bufferSize);
        DatagramChannel ch = DatagramChannel.open(family);
        try {
            ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
            if (networkInterface != null) {
                ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, networkInterface);
            }
            setSendBufferSize(ch, bufferSize);
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * Opens a TCP listening socket as spead2's TCP reader does: address reuse on, receive buffer set (inherited
     * by the accepted connection), bound.
     *
     * @param bind local address
     * @param bufferSize receive buffer size, 0 for the system default
     * @return the listening channel (blocking mode)
     * @throws IOException if the socket cannot be opened or bound
     */
    public static ServerSocketChannel openTcpListener(InetSocketAddress bind, int bufferSize) throws IOException {
        checkBufferSize(bufferSize);
        ServerSocketChannel ch = bind.getAddress().isAnyLocalAddress()
                ? ServerSocketChannel.open() : ServerSocketChannel.open(familyOf(bind.getAddress()));
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            setReceiveBufferSize(ch, bufferSize);
            ch.bind(bind, 1);
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    /**
     * Connects a TCP socket (blocking) as spead2's TCP sender does: optionally bound to a local address, send
     * buffer set before connecting.
     *
     * @param endpoint the peer
     * @param interfaceAddress local address to bind to, or null / wildcard for none
     * @param bufferSize send buffer size, 0 for the system default
     * @return the connected channel (blocking mode)
     * @throws IOException if the connection fails
     */
    public static SocketChannel connectTcp(InetSocketAddress endpoint, InetAddress interfaceAddress, int bufferSize)
            throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.isUnresolved()) {
            throw new UnknownHostException("endpoint " + endpoint + " is unresolved");
        }
        checkBufferSize(bufferSize);
        SocketChannel ch = SocketChannel.open(familyOf(endpoint.getAddress()));
        try {
            if (interfaceAddress != null && !interfaceAddress.isAnyLocalAddress()) {
                ch.bind(new InetSocketAddress(interfaceAddress, 0));
            }
            setSendBufferSize(ch, bufferSize);
            ch.connect(endpoint);
            return ch;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch, e);
            throw e;
        }
    }

    private static void closeQuietly(NetworkChannel ch, Exception cause) {
        try {
            ch.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
