package io.spead4j.tools;

import io.spead4j.ThreadPool;
import io.spead4j.recv.StreamBase;
import io.spead4j.send.TcpStream;
import io.spead4j.send.UdpStream;
import io.spead4j.send.StreamConfig;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The network transports used by the tools, in one place: endpoint parsing as spead2's command-line tools do
 * it, and the UDP/TCP readers and senders of the core library.
 */
final class Network {
    /** spead2's UDP reader defaults: largest datagram 9200 bytes, 8 MiB socket buffer. */
    static final int UDP_MAX_SIZE = 9200;
    static final int UDP_RECV_BUFFER = 8 * 1024 * 1024;
    /** spead2's TCP reader defaults: largest packet 65536 bytes, 208 KiB socket buffer. */
    static final int TCP_MAX_SIZE = 65536;
    static final int TCP_BUFFER = 212992;
    /** spead2's UDP sender default socket buffer: 512 KiB. */
    static final int UDP_SEND_BUFFER = 512 * 1024;

    private Network() {
    }

    /**
     * Whether a source names a capture file rather than an endpoint: spead2_recv treats a source whose text
     * after the last ':' (or whole text, without ':') is not a valid 16-bit unsigned number as a pcap file.
     *
     * @param source the source text
     * @return true for a file
     */
    static boolean isFile(String source) {
        int colon = source.lastIndexOf(':');
        String port = colon < 0 ? source : source.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5) {
            return true;
        }
        for (int i = 0; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return true;
            }
        }
        return Integer.parseInt(port) > 0xffff;
    }

    /**
     * Parses {@code host:port}; for a passive (listening) endpoint the host may be empty or absent
     * ({@code :8888}, {@code 8888}) and means any address.
     *
     * @param text the endpoint
     * @param passive whether it is an endpoint to listen on
     * @return the address
     * @throws IllegalArgumentException if the text is malformed or the host unknown
     */
    static InetSocketAddress endpoint(String text, boolean passive) {
        int colon = text.lastIndexOf(':');
        String host;
        String port;
        if (colon <= 0) {
            if (!passive) {
                throw new IllegalArgumentException("Destination '" + text + "' does not have the format host:port");
            }
            host = "";
            port = colon == 0 ? text.substring(1) : text;
        } else {
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + port + "' in '" + text + "'");
        }
        if (number < 0 || number > 0xffff) {
            throw new IllegalArgumentException("port out of range in '" + text + "'");
        }
        try {
            InetAddress address = host.isEmpty() ? InetAddress.getByName("0.0.0.0") : InetAddress.getByName(host);
            return new InetSocketAddress(address, number);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "' in '" + text + "'");
        }
    }

    /**
     * Adds a UDP reader as spead2_recv does, with {@code --bind} for IPv6 too: a multicast endpoint joins the
     * group (on the interface that has {@code bind}, if given); otherwise the socket is bound to the endpoint's
     * address, or to {@code bind} when the endpoint is a wildcard ({@code :8888}). spead2_recv ignores
     * {@code --bind} for IPv6 (with a message); spead4j applies it.
     *
     * @param stream the stream
     * @param endpoint address to listen on (or multicast group)
     * @param maxSize largest datagram
     * @param bufferSize socket buffer size
     * @param bind interface address ("" for any)
     * @throws IOException if the socket cannot be opened
     * @throws IllegalArgumentException if {@code bind} is unknown or does not fit the endpoint
     */
    static void addUdpReader(StreamBase stream, InetSocketAddress endpoint, int maxSize, int bufferSize,
            String bind) throws IOException {
        InetAddress address = endpoint.getAddress();
        boolean v4 = address instanceof Inet4Address;
        int port = endpoint.getPort();
        if (bind.isEmpty()) {
            if (!address.isMulticastAddress()) {
                stream.addUdpReader(port, maxSize, bufferSize, address.isAnyLocalAddress() ? "" : address.getHostAddress());
            } else if (v4) {
                stream.addUdpReader(address, port, maxSize, bufferSize, (InetAddress) null);
            } else {
                stream.addUdpReader(address, port, maxSize, bufferSize, 0);
            }
            return;
        }
        InetAddress local = bindAddress(bind);
        if (v4 && local instanceof Inet4Address) {
            // spead2: an IPv4 endpoint with --bind joins a multicast group on that interface, or (unicast)
            // must be that interface's address or the wildcard
            stream.addUdpReader(address, port, maxSize, bufferSize, local);
        } else if (address.isMulticastAddress()) {
            if (v4 || !(local instanceof Inet6Address)) {
                throw new IllegalArgumentException("--bind " + bind + " cannot select the interface to join "
                        + address.getHostAddress() + " on: it is not an " + (v4 ? "IPv4" : "IPv6") + " address");
            }
            NetworkInterface ni = NetworkInterface.getByInetAddress(local);
            if (ni == null) {
                throw new IllegalArgumentException("--bind " + bind + ": no network interface has this address");
            }
            stream.addUdpReader(address, port, maxSize, bufferSize, ni.getIndex());
        } else {
            stream.addUdpReader(port, maxSize, bufferSize, listenAddress(address, local, bind).getHostAddress());
        }
    }

    /**
     * Adds a TCP reader that accepts one connection, listening on the endpoint's address, or on {@code bind}
     * when the endpoint is a wildcard ({@code :8888}). spead2_recv ignores {@code --bind} with {@code --tcp};
     * spead4j applies it.
     *
     * @param stream the stream
     * @param endpoint address to listen on
     * @param maxSize largest packet
     * @param bufferSize socket buffer size
     * @param bind local address to listen on ("" for the endpoint's)
     * @throws IOException if the socket cannot be opened
     * @throws IllegalArgumentException if {@code bind} is unknown or does not fit the endpoint
     */
    static void addTcpReader(StreamBase stream, InetSocketAddress endpoint, int maxSize, int bufferSize, String bind)
            throws IOException {
        InetAddress address = endpoint.getAddress();
        InetAddress listen = bind.isEmpty() ? address : listenAddress(address, bindAddress(bind), bind);
        stream.addTcpReader(endpoint.getPort(), maxSize, bufferSize,
                listen.isAnyLocalAddress() ? "" : listen.getHostAddress());
    }

    /** @return the address named by {@code --bind} */
    private static InetAddress bindAddress(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown --bind address '" + bind + "'");
        }
    }

    /**
     * The unicast address to listen on given an endpoint and a {@code --bind} address: the bind address when the
     * endpoint is a wildcard or that same address.
     */
    private static InetAddress listenAddress(InetAddress endpoint, InetAddress local, String bind) {
        if (endpoint.isAnyLocalAddress() || endpoint.equals(local)) {
            return local;
        }
        throw new IllegalArgumentException("--bind " + bind + " does not match the address to listen on, "
                + endpoint.getHostAddress() + " (give the port alone, :PORT, to listen on the --bind address)");
    }

    /**
     * Creates a UDP sender with one substream per endpoint; a multicast first endpoint selects the TTL form
     * (as spead2's {@code make_stream}).
     *
     * @param pool thread pool
     * @param endpoints destinations
     * @param config stream configuration
     * @param bufferSize socket buffer size
     * @param ttl multicast TTL (used when the first endpoint is multicast)
     * @param bind local interface address ("" for any)
     * @return the stream
     * @throws IOException if the socket cannot be opened
     */
    static io.spead4j.send.Stream udpSender(ThreadPool pool, List<InetSocketAddress> endpoints, StreamConfig config,
            int bufferSize, int ttl, String bind) throws IOException {
        InetAddress first = endpoints.getFirst().getAddress();
        InetAddress local = bind.isEmpty() ? null : InetAddress.getByName(bind);
        if (first.isMulticastAddress()) {
            if (first instanceof java.net.Inet4Address) {
                return new UdpStream(pool, endpoints, config, bufferSize, ttl, local);
            }
            return new UdpStream(pool, endpoints, config, bufferSize, ttl);
        }
        return new UdpStream(pool, endpoints, config, bufferSize, local);
    }

    /**
     * Creates a TCP sender, connecting now.
     *
     * @param pool thread pool
     * @param endpoint destination
     * @param config stream configuration
     * @param bufferSize socket buffer size
     * @param bind local address ("" for any)
     * @return the stream
     * @throws IOException if the connection fails
     */
    static io.spead4j.send.Stream tcpSender(ThreadPool pool, InetSocketAddress endpoint, StreamConfig config,
            int bufferSize, String bind) throws IOException {
        return new TcpStream(pool, List.of(endpoint), config, bufferSize,
                bind.isEmpty() ? null : InetAddress.getByName(bind));
    }
}
