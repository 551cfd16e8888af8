package io.spead4j.net;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Writes and reads {@code sockaddr_in} / {@code sockaddr_in6} in native memory ({@link Libc#SOCKADDR_IN},
 * {@link Libc#SOCKADDR_IN6}): family in native order, port and address in network order.
 */
final class SockAddr {
    /** Room for either structure, rounded up to 8. */
    static final int SIZE = 32;
    private static final int V4_LENGTH = (int) Libc.SOCKADDR_IN.byteSize();
    private static final int V6_LENGTH = (int) Libc.SOCKADDR_IN6.byteSize();
    private static final java.lang.foreign.ValueLayout.OfShort PORT =
            JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private SockAddr() {
    }

    /**
     * Writes an address for a socket of a family; an IPv4 address for an IPv6 socket is written IPv4-mapped
     * (the IPv4 wildcard as the IPv6 wildcard).
     *
     * @param to where (at least {@link #SIZE} bytes)
     * @param address the address
     * @param ipv6 whether the socket is IPv6
     * @return the structure's length
     * @throws IllegalArgumentException if an IPv6 address is given for an IPv4 socket, or it is unresolved
     */
    static int write(MemorySegment to, InetSocketAddress address, boolean ipv6) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved");
        }
        to.asSlice(0, SIZE).fill((byte) 0);
        InetAddress ip = address.getAddress();
        if (!ipv6) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException(ip.getHostAddress() + " is not an IPv4 address (IPv4 socket)");
            }
            to.set(JAVA_SHORT, 0, (short) Libc.AF_INET);
            to.set(PORT, 2, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, to, JAVA_BYTE, 4, 4);
            return V4_LENGTH;
        }
        to.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
        to.set(PORT, 2, (short) address.getPort());
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) {
            if (!ip.isAnyLocalAddress()) {
                to.set(JAVA_BYTE, 8 + 10, (byte) 0xff);
                to.set(JAVA_BYTE, 8 + 11, (byte) 0xff);
                MemorySegment.copy(bytes, 0, to, JAVA_BYTE, 8 + 12, 4);
            }
        } else {
            MemorySegment.copy(bytes, 0, to, JAVA_BYTE, 8, 16);
            to.set(JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        }
        return V6_LENGTH;
    }

    /**
     * Reads an address written by the kernel.
     *
     * @param from the structure
     * @return the address, or null if the family is neither IPv4 nor IPv6
     */
    static InetSocketAddress read(MemorySegment from) {
        int family = from.get(JAVA_SHORT, 0) & 0xFFFF;
        int port = from.get(PORT, 2) & 0xFFFF;
        try {
            if (family == Libc.AF_INET) {
                byte[] a = new byte[4];
                MemorySegment.copy(from, JAVA_BYTE, 4, a, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(a), port);
            }
            if (family == Libc.AF_INET6) {
                byte[] a = new byte[16];
                MemorySegment.copy(from, JAVA_BYTE, 8, a, 0, 16);
                int scope = from.get(JAVA_INT, 24);
                InetAddress ip = scope == 0 ? InetAddress.getByAddress(a) : Inet6Address.getByAddress(null, a, scope);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel address of wrong length", e);
        }
        return null;
    }
}
