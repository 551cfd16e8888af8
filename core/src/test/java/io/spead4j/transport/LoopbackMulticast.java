package io.spead4j.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Multicast over the loopback interface (TTL 0, never leaves the machine): whether this machine has what it
 * takes, decided from the interface itself, and a probe that must then succeed.
 *
 * <p>A test skips only for a reason found here ({@link #missing}): no interface with the loopback address,
 * an interface that is down, or, for IPv6, an interface without the MULTICAST flag (Linux's {@code lo} has
 * none by default, so the kernel has no ff00::/8 route on it and refuses IPv6 multicast there; IPv4 multicast
 * on {@code lo} works without the flag). Any other failure, a probe that does not arrive included, is a test
 * failure with its reason ({@link #requireWorking}).
 */
final class LoopbackMulticast {
    /** How long the probe datagram may take: only a bound so a lost probe fails instead of hanging. */
    private static final int PROBE_TIMEOUT_MILLIS = 10_000;

    private LoopbackMulticast() {
    }

    /**
     * What this machine lacks for multicast of a family on an interface, read from the interface.
     *
     * @param ni the interface (null if none has the loopback address)
     * @param loopback the loopback address looked up (for the message)
     * @param family the address family of the groups
     * @return null if nothing is missing, else why multicast cannot work there
     * @throws SocketException if the interface flags cannot be read
     */
    static String missing(NetworkInterface ni, InetAddress loopback, StandardProtocolFamily family)
            throws SocketException {
        if (ni == null) {
            return "no interface has " + loopback.getHostAddress();
        }
        if (!ni.isUp()) {
            return "interface " + ni.getName() + " is down";
        }
        if (family == StandardProtocolFamily.INET6 && !ni.supportsMulticast()) {
            return "interface " + ni.getName() + " has no MULTICAST flag (Linux's default for lo), so the kernel "
                    + "routes no IPv6 multicast (ff00::/8) on it";
        }
        return null;
    }

    /**
     * Sends one datagram to {@code group} on {@code ni} and receives it.
     *
     * @param group the multicast group
     * @param ni the interface to send and join on
     * @param family the group's family
     * @throws AssertionError with the reason if the probe cannot be sent or does not arrive intact
     */
    static void requireWorking(InetAddress group, NetworkInterface ni, StandardProtocolFamily family) {
        String why;
        try {
            why = probe(group, ni, family);
        } catch (IOException e) {
            why = e.toString();
        }
        if (why != null) {
            throw new AssertionError("multicast to " + group.getHostAddress() + " on " + ni.getName()
                    + " does not work, and the interface lacks nothing that would explain it: " + why);
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
            rx.socket().setSoTimeout(PROBE_TIMEOUT_MILLIS);
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            try {
                rx.socket().receive(p);
            } catch (SocketTimeoutException e) {
                return "a probe datagram sent to " + group.getHostAddress() + " on " + ni.getName()
                        + " did not arrive within " + PROBE_TIMEOUT_MILLIS / 1000 + " s";
            }
            return p.getLength() == probe.length ? null : "the probe datagram arrived damaged";
        }
    }
}
