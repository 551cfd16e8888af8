package io.spead4j.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Builds Ethernet II / IPv4 / UDP headers in front of a payload: zero MAC addresses, ethertype IPv4, an IPv4
 * header of 20 bytes (don't-fragment set, TTL 64, protocol UDP, header checksum computed), and a UDP header
 * with checksum 0 (none), as the conformance captures have. Static, allocation-free.
 */
public final class UdpFrameBuilder {
    /** Bytes of headers before the payload: 14 Ethernet + 20 IPv4 + 8 UDP. */
    public static final int HEADERS = UdpFrameDecoder.ETHERNET_HEADER + UdpFrameDecoder.IPV4_MIN_HEADER
            + UdpFrameDecoder.UDP_HEADER;
    /** Largest UDP payload an IPv4 datagram can carry. */
    public static final int MAX_PAYLOAD = 0xffff - UdpFrameDecoder.IPV4_MIN_HEADER - UdpFrameDecoder.UDP_HEADER;

    private UdpFrameBuilder() {
    }

    /**
     * Writes the headers of a frame whose payload follows at {@code offset + HEADERS}.
     *
     * @param segment destination
     * @param offset where the frame starts
     * @param sourceAddress big-endian IPv4 source
     * @param sourcePort UDP source port
     * @param destinationAddress big-endian IPv4 destination
     * @param destinationPort UDP destination port
     * @param payloadLength payload bytes, 0..{@link #MAX_PAYLOAD}
     * @param identification the IPv4 identification field
     * @return the frame length ({@code HEADERS + payloadLength})
     */
    public static int writeHeaders(MemorySegment segment, long offset, int sourceAddress, int sourcePort,
            int destinationAddress, int destinationPort, int payloadLength, int identification) {
        checkPort(sourcePort);
        checkPort(destinationPort);
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload must be 0.." + MAX_PAYLOAD + " bytes, got " + payloadLength);
        }
        segment.asSlice(offset, 12).fill((byte) 0);
        segment.set(UdpFrameDecoder.BE_SHORT, offset + 12, (short) UdpFrameDecoder.ETHERTYPE_IPV4);
        long ip = offset + UdpFrameDecoder.ETHERNET_HEADER;
        int udpLength = UdpFrameDecoder.UDP_HEADER + payloadLength;
        segment.set(ValueLayout.JAVA_BYTE, ip, (byte) 0x45);
        segment.set(ValueLayout.JAVA_BYTE, ip + 1, (byte) 0);
        segment.set(UdpFrameDecoder.BE_SHORT, ip + 2, (short) (UdpFrameDecoder.IPV4_MIN_HEADER + udpLength));
        segment.set(UdpFrameDecoder.BE_SHORT, ip + 4, (short) identification);
        segment.set(UdpFrameDecoder.BE_SHORT, ip + 6, (short) 0x4000);
        segment.set(ValueLayout.JAVA_BYTE, ip + 8, (byte) 64);
        segment.set(ValueLayout.JAVA_BYTE, ip + 9, (byte) UdpFrameDecoder.IPPROTO_UDP);
        segment.set(UdpFrameDecoder.BE_SHORT, ip + 10, (short) 0);
        segment.set(UdpFrameDecoder.BE_INT, ip + 12, sourceAddress);
        segment.set(UdpFrameDecoder.BE_INT, ip + 16, destinationAddress);
        segment.set(UdpFrameDecoder.BE_SHORT, ip + 10, (short) ipv4Checksum(segment, ip, UdpFrameDecoder.IPV4_MIN_HEADER));
        long udp = ip + UdpFrameDecoder.IPV4_MIN_HEADER;
        segment.set(UdpFrameDecoder.BE_SHORT, udp, (short) sourcePort);
        segment.set(UdpFrameDecoder.BE_SHORT, udp + 2, (short) destinationPort);
        segment.set(UdpFrameDecoder.BE_SHORT, udp + 4, (short) udpLength);
        segment.set(UdpFrameDecoder.BE_SHORT, udp + 6, (short) 0);
        return HEADERS + payloadLength;
    }

    /**
     * Computes the Internet checksum (one's complement of the one's-complement sum of 16-bit words).
     *
     * @param segment data
     * @param offset first byte
     * @param length number of bytes (even for an IPv4 header)
     * @return the checksum, 0..0xffff
     */
    public static int ipv4Checksum(MemorySegment segment, long offset, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += Short.toUnsignedInt(segment.get(UdpFrameDecoder.BE_SHORT, offset + i));
        }
        if ((length & 1) != 0) {
            sum += Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset + length - 1)) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("UDP port must be 0..65535, got " + port);
        }
    }
}
