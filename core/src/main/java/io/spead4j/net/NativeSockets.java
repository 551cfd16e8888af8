package io.spead4j.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The {@link NativeUdpSocket} forms of {@link Sockets}' UDP openers: the same set-up, the same checks and
 * warnings, so the native and NIO paths behave alike. Not part of the public API.
 */
public final class NativeSockets {
    private NativeSockets() {
    }

    /** Configures a freshly opened socket; it is closed if this throws. */
    @FunctionalInterface
    private interface Setup {
        void apply(NativeUdpSocket socket) throws IOException;
    }

    private static NativeUdpSocket open(ProtocolFamily family, Setup setup) throws IOException {
        NativeUdpSocket s = NativeUdpSocket.open(family);
        try {
            setup.apply(s);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Opens a socket bound to a local address for receiving, as {@link Sockets#openUdpReceiver}: the wildcard
     * address binds IPv6 {@code ::} (both families) if the machine has IPv6, else IPv4.
     *
     * @param bind local address
     * @param bufferSize receive buffer size, 0 for the system default
     * @return the bound socket
     * @throws IOException if it cannot be opened or bound
     */
    public static NativeUdpSocket openUdpReceiver(InetSocketAddress bind, int bufferSize) throws IOException {
        Sockets.checkBufferSize(bufferSize);
        InetAddress address = bind.getAddress();
        Setup setup = s -> {
            if (address.isMulticastAddress()) {
                s.setReuseAddress(true);
                s.joinGroup(address, Sockets.defaultMulticastInterface(Sockets.familyOf(address)));
            }
            s.setReceiveBufferSize(bufferSize);
            s.bind(bind);
        };
        if (address.isAnyLocalAddress()) {
            NativeUdpSocket dual;
            try {
                dual = NativeUdpSocket.open(StandardProtocolFamily.INET6);
            } catch (IOException noIpv6) {
                return open(StandardProtocolFamily.INET, setup);
            }
            try {
                setup.apply(dual);
                return dual;
            } catch (IOException | RuntimeException e) {
                dual.close();
                throw e;
            }
        }
        return open(Sockets.familyOf(address), setup);
    }

    /**
     * Opens a socket receiving a multicast group, as {@link Sockets#openUdpMulticastReceiver}.
     *
     * @param group the group
     * @param port the port
     * @param bufferSize receive buffer size, 0 for the system default
     * @param networkInterface the interface to join on
     * @return the socket
     * @throws IOException if it cannot be opened, bound or joined
     */
    public static NativeUdpSocket openUdpMulticastReceiver(InetAddress group, int port, int bufferSize,
                                                           NetworkInterface networkInterface) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        Sockets.checkPort(port);
        Sockets.checkBufferSize(bufferSize);
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not a multicast address");
        }
        return open(Sockets.familyOf(group), s -> {
            s.setReuseAddress(true);
            s.setReceiveBufferSize(bufferSize);
            s.bind(new InetSocketAddress(group, port));
            s.joinGroup(group, networkInterface);
        });
    }

    /**
     * Opens a socket for sending, as {@link Sockets#openUdpSender}.
     *
     * @param family the destinations' family
     * @param interfaceAddress local address to bind to, or null / wildcard for none
     * @param bufferSize send buffer size, 0 for the system default
     * @return the socket
     * @throws IOException if it cannot be opened or bound
     */
    public static NativeUdpSocket openUdpSender(ProtocolFamily family, InetAddress interfaceAddress, int bufferSize)
            throws IOException {
        Sockets.checkBufferSize(bufferSize);
        if (interfaceAddress != null && !interfaceAddress.isAnyLocalAddress()
                && Sockets.familyOf(interfaceAddress) != family) {
            throw new IllegalArgumentException("interface address " + interfaceAddress.getHostAddress()
                    + " is not of the endpoints' protocol family " + family);
        }
        return open(family, s -> {
            if (interfaceAddress != null && !interfaceAddress.isAnyLocalAddress()) {
                s.bind(new InetSocketAddress(interfaceAddress, 0));
            }
            s.setSendBufferSize(bufferSize);
        });
    }

    /**
     * Opens a socket for sending to multicast groups, as {@link Sockets#openUdpMulticastSender}.
     *
     * @param endpoints the groups, one family
     * @param ttl TTL / hop limit, 0 to 255
     * @param networkInterface outgoing interface, or null for the system's choice
     * @param bufferSize send buffer size, 0 for the system default
     * @return the socket
     * @throws IOException if it cannot be opened or configured
     */
    public static NativeUdpSocket openUdpMulticastSender(List<InetSocketAddress> endpoints, int ttl,
                                                         NetworkInterface networkInterface, int bufferSize)
            throws IOException {
        ProtocolFamily family = Sockets.endpointFamily(endpoints);
        for (InetSocketAddress e : endpoints) {
            if (!e.getAddress().isMulticastAddress()) {
                throw new IllegalArgumentException("endpoint " + e + " is not a multicast address");
            }
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 0 to 255, got " + ttl);
        }
        Sockets.checkBufferSize(bufferSize);
        return open(family, s -> {
            s.setMulticastTtl(ttl);
            if (networkInterface != null) {
                if (family == StandardProtocolFamily.INET6) {
                    s.setMulticastInterface(networkInterface.getIndex());
                } else {
                    Inet4Address address = null;
                    for (InetAddress a : Collections.list(networkInterface.getInetAddresses())) {
                        if (a instanceof Inet4Address a4) {
                            address = a4;
                            break;
                        }
                    }
                    if (address == null) {
                        throw new IOException("interface " + networkInterface.getName() + " has no IPv4 address");
                    }
                    s.setMulticastInterface(address);
                }
            }
            s.setSendBufferSize(bufferSize);
        });
    }
}
