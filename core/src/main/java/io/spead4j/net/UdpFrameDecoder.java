package io.spead4j.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Finds the IPv4/UDP payload of an Ethernet or Linux SLL frame with the checks of spead2's pcap reader
 * ({@code udp_from_ethernet} / {@code udp_from_linux_sll} behind its fixed BPF filter): frames truncated by
 * the capture are skipped; the ethertype must be IPv4 (no VLAN); the IP protocol must be UDP and the
 * datagram not a fragment ({@code ip[6:2] & 0x3fff == 0}); the IPv4 version must be 4, the header at least
 * 20 bytes, the total length within the frame and not below the header; the UDP length at least 8 and
 * within the IPv4 payload. The payload is the UDP length minus 8 bytes (Ethernet padding is ignored).
 *
 * <p>A reusable flyweight: {@link #decode} allocates nothing and never throws; after {@link FrameReject#OK}
 * the accessors describe the datagram. Not thread-safe.
 */
public final class UdpFrameDecoder {
    /** Size of an Ethernet II header. */
    public static final int ETHERNET_HEADER = 14;
    /** Size of a Linux SLL (v1) header. */
    public static final int LINUX_SLL_HEADER = 16;
    /** The IPv4 ethertype. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** The UDP protocol number. */
    public static final int IPPROTO_UDP = 17;
    static final int IPV4_MIN_HEADER = 20;
    static final int UDP_HEADER = 8;
    static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment segment = MemorySegment.NULL;
    private FrameReject status = FrameReject.TOO_SHORT;
    private int sourceAddress;
    private int destinationAddress;
    private int sourcePort;
    private int destinationPort;
    private long payloadOffset;
    private int payloadLength;
    private int wirePayloadLength;

    /** Creates a decoder. */
    public UdpFrameDecoder() {
        // nothing to set up
    }

    /**
     * Checks that a link type is one spead2's pcap reader accepts.
     *
     * @param linkType a pcap link type
     * @return true for Ethernet (1) and Linux SLL (113)
     */
    public static boolean isSupportedLinkType(int linkType) {
        return linkType == PcapFrame.LINKTYPE_ETHERNET || linkType == PcapFrame.LINKTYPE_LINUX_SLL;
    }

    /**
     * Refuses a link type spead2 refuses, with a clear message.
     *
     * @param linkType a pcap link type
     * @throws IllegalArgumentException unless Ethernet (1) or Linux SLL (113)
     */
    public static void requireSupportedLinkType(int linkType) {
        if (!isSupportedLinkType(linkType)) {
            throw new IllegalArgumentException("pcap link type " + linkType
                    + " is neither Ethernet (1) nor Linux SLL (113); only those are supported");
        }
    }

    /**
     * Decodes a frame read by {@link PcapReader}: frames with fewer captured bytes than their original length
     * are rejected, and only the original length is examined.
     *
     * @param frame the frame
     * @return {@link FrameReject#OK} or why no payload was found
     */
    public FrameReject decode(PcapFrame frame) {
        if (frame.capturedLength() < frame.originalLength()) {
            return reject(FrameReject.TRUNCATED);
        }
        // like spead2, look only at the frame's original length (a caplen above it would be bogus)
        return decode(frame.linkType(), frame.segment(), frame.offset(), frame.originalLength());
    }

    /**
     * Decodes as much of a frame as was captured, for tools that show truncated frames
     * ({@code spead4j dump --decode}): the headers must have been captured, the lengths they state are checked
     * against the frame's original length, and {@link #payloadLength()} is then only the payload bytes
     * present (never more than were captured), {@link #wirePayloadLength()} what the datagram had. Receive
     * streams use {@link #decode(PcapFrame)}, which rejects truncated frames as spead2 does.
     *
     * @param frame the frame
     * @return {@link FrameReject#OK} (check {@link #isTruncated()}) or why no payload was found
     */
    public FrameReject decodeCaptured(PcapFrame frame) {
        int captured = Math.min(frame.capturedLength(), frame.originalLength());
        return decode(frame.linkType(), frame.segment(), frame.offset(), frame.originalLength(), captured);
    }

    /** {@return true if the last decoded datagram has fewer payload bytes than it had on the wire} */
    public boolean isTruncated() {
        return status == FrameReject.OK && payloadLength < wirePayloadLength;
    }

    /** {@return the UDP payload length the datagram had on the wire (the UDP length minus 8)} */
    public int wirePayloadLength() {
        return wirePayloadLength;
    }

    /**
     * Decodes a complete (untruncated) frame.
     *
     * @param linkType Ethernet (1) or Linux SLL (113)
     * @param segment memory holding the frame
     * @param offset offset of the frame's first byte
     * @param length frame length in bytes
     * @return {@link FrameReject#OK} or why no payload was found
     */
    public FrameReject decode(int linkType, MemorySegment segment, long offset, int length) {
        return decode(linkType, segment, offset, length, length);
    }

    /** Decodes a frame of {@code length} bytes on the wire of which the first {@code captured} are present. */
    private FrameReject decode(int linkType, MemorySegment segment, long offset, int length, int captured) {
        this.segment = segment;
        int linkHeader;
        if (linkType == PcapFrame.LINKTYPE_ETHERNET) {
            linkHeader = ETHERNET_HEADER;
        } else if (linkType == PcapFrame.LINKTYPE_LINUX_SLL) {
            linkHeader = LINUX_SLL_HEADER;
        } else {
            return reject(FrameReject.UNSUPPORTED_LINK_TYPE);
        }
        if (length < linkHeader + IPV4_MIN_HEADER) {
            return reject(FrameReject.TOO_SHORT);
        }
        if (captured < linkHeader + IPV4_MIN_HEADER) {
            return reject(FrameReject.TRUNCATED); // only with captured < length
        }
        if (Short.toUnsignedInt(segment.get(BE_SHORT, offset + linkHeader - 2)) != ETHERTYPE_IPV4) {
            return reject(FrameReject.NOT_IPV4);
        }
        long ip = offset + linkHeader;
        int ipAvailable = length - linkHeader;
        if (Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, ip + 9)) != IPPROTO_UDP) {
            return reject(FrameReject.NOT_UDP);
        }
        if ((segment.get(BE_SHORT, ip + 6) & 0x3fff) != 0) {
            return reject(FrameReject.FRAGMENTED);
        }
        int versionIhl = Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, ip));
        if (versionIhl >>> 4 != 4) {
            return reject(FrameReject.BAD_IP_VERSION);
        }
        int headerLength = (versionIhl & 0xf) * 4;
        if (headerLength < IPV4_MIN_HEADER) {
            return reject(FrameReject.BAD_IP_HEADER_LENGTH);
        }

        int totalLength = Short.toUnsignedInt(segment.get(BE_SHORT, ip + 2));
        if (totalLength > ipAvailable || totalLength < headerLength) {
            return reject(FrameReject.BAD_IP_TOTAL_LENGTH);
        }
        int udpAvailable = totalLength - headerLength;
        if (udpAvailable < UDP_HEADER) {
            return reject(FrameReject.UDP_TOO_SHORT);
        }
        if (captured < linkHeader + headerLength + UDP_HEADER) {
            return reject(FrameReject.TRUNCATED); // only with captured < length: the UDP header is within length
        }
        long udp = ip + headerLength;
        int udpLength = Short.toUnsignedInt(segment.get(BE_SHORT, udp + 4));
        if (udpLength > udpAvailable || udpLength < UDP_HEADER) {
            return reject(FrameReject.BAD_UDP_LENGTH);
        }
        sourceAddress = segment.get(BE_INT, ip + 12);
        destinationAddress = segment.get(BE_INT, ip + 16);
        sourcePort = Short.toUnsignedInt(segment.get(BE_SHORT, udp));
        destinationPort = Short.toUnsignedInt(segment.get(BE_SHORT, udp + 2));
        payloadOffset = udp + UDP_HEADER;
        wirePayloadLength = udpLength - UDP_HEADER;
        payloadLength = (int) Math.min(wirePayloadLength, captured - (payloadOffset - offset));
        status = FrameReject.OK;
        return FrameReject.OK;
    }

    private FrameReject reject(FrameReject why) {
        status = why;
        payloadLength = 0;
        wirePayloadLength = 0;
        return why;
    }

    /** {@return the outcome of the last {@link #decode}} */
    public FrameReject status() {
        return status;
    }

    /** {@return IPv4 source address as a big-endian int ({@code 127.0.0.1} is {@code 0x7f000001})} */
    public int sourceAddress() {
        return sourceAddress;
    }

    /** {@return IPv4 destination address as a big-endian int} */
    public int destinationAddress() {
        return destinationAddress;
    }

    /** {@return UDP source port} */
    public int sourcePort() {
        return sourcePort;
    }

    /** {@return UDP destination port} */
    public int destinationPort() {
        return destinationPort;
    }

    /** {@return the memory holding the payload (the frame's segment)} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return offset in {@link #segment()} of the first UDP payload byte} */
    public long payloadOffset() {
        return payloadOffset;
    }

    /** {@return UDP payload length in bytes} */
    public int payloadLength() {
        return payloadLength;
    }

    /** {@return a view of the UDP payload (allocates a segment view; prefer segment/offset on hot paths)} */
    public MemorySegment payload() {
        return segment.asSlice(payloadOffset, payloadLength);
    }

    /**
     * Formats an IPv4 address held in an int.
     *
     * @param address big-endian IPv4 address
     * @return dotted quad such as {@code 127.0.0.1}
     */
    public static String formatAddress(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /**
     * Parses a dotted-quad IPv4 address.
     *
     * @param text such as {@code 10.0.0.1}
     * @return the address as a big-endian int
     * @throws IllegalArgumentException if it is not four decimal numbers 0..255 separated by dots
     */
    public static int parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (A.B.C.D): '" + text + "'");
        }
        int address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not an IPv4 address (A.B.C.D): '" + text + "'");
            }
            int v = Integer.parseInt(part);
            if (v > 255) {
                throw new IllegalArgumentException("not an IPv4 address (A.B.C.D): '" + text + "'");
            }
            address = (address << 8) | v;
        }
        return address;
    }
}
