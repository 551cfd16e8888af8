package io.spead4j.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** Runtime probe: can this machine deliver multicast over its loopback interface (TTL 0, never leaves)? */
final class LoopbackMulticast {
    private LoopbackMulticast() {
    }

    /** @return null if IPv4 multicast to {@code group} on the interface of {@code lo} works, else why not */
    static String unavailable(InetAddress group, InetAddress lo) {
        try {
            NetworkInterface ni = NetworkInterface.getByInetAddress(lo);
            if (ni == null) {
                return "no interface has " + lo.getHostAddress();
            }
            return probe(group, ni, StandardProtocolFamily.INET);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** @return null if IPv6 multicast to {@code group} on interface {@code index} works, else why not */
    static String unavailable(InetAddress group, int index) {
        try {
            NetworkInterface ni = NetworkInterface.getByIndex(index);
            if (ni == null) {
                return "no interface has index " + index;
            }
            return probe(group, ni, StandardProtocolFamily.INET6);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String probe(InetAddress group, NetworkInterface ni, StandardProtocolFamily family)
            throws IOException {
        try (DatagramChannel rx = DatagramChannel.open(family); DatagramChannel tx = DatagramChannel.open(family)) {
            rx.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            rx.bind(new InetSocketAddress(group, 0));
            rx.join(group, ni);
            int port = ((InetSocketAddress) rx.getLocalAddress()).getPort();
            tx.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 0);
            tx.setOption(StandardSocketOptions.IP_MULTICAST_IF, ni);
            byte[] probe = "spead4j multicast probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            tx.send(ByteBuffer.wrap(probe), new InetSocketAddress(group, port));
            rx.socket().setSoTimeout(2000);
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            try {
                rx.socket().receive(p);
            } catch (SocketTimeoutException e) {
                return "a probe datagram sent to " + group.getHostAddress() + " on " + ni.getName()
                        + " did not arrive within 2 s";
            }
            return p.getLength() == probe.length ? null : "the probe datagram arrived damaged";
        }
    }
}
