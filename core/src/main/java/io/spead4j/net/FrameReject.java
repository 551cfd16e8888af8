package io.spead4j.net;

/**
 * Why {@link UdpFrameDecoder} did not find a UDP payload in a frame, or {@link #OK}. spead2's pcap reader
 * drops such frames: the first group silently, because its fixed BPF filter
 * ({@code ip proto udp and ip[6:2] & 0x3fff = 0}) never lets them through, the rest with a warning.
 * Callers count them; decoding never throws.
 */
public enum FrameReject {
    /** A UDP payload was found. */
    OK("ok", false),
    /** The link type is neither Ethernet (1) nor Linux SLL (113). */
    UNSUPPORTED_LINK_TYPE("link type is neither Ethernet nor Linux SLL", false),
    /** Fewer bytes were captured than the frame had on the wire. */
    TRUNCATED("frame was truncated by the capture (caplen < len)", true),
    /** The frame is too short to hold the link header and an IPv4 header. */
    TOO_SHORT("frame is too short for an IPv4 packet", false),
    /** The ethertype is not IPv4 (0x0800); VLAN-tagged frames land here too, as in spead2. */
    NOT_IPV4("frame has wrong ethernet type (VLAN tagging?)", false),
    /** The IP protocol is not UDP (17). */
    NOT_UDP("packet is not UDP", false),
    /** The IPv4 datagram is a fragment (more-fragments flag or a non-zero offset). */
    FRAGMENTED("IP datagram is fragmented", false),
    /** The IPv4 version field is not 4. */
    BAD_IP_VERSION("frame is not IPv4", true),
    /** The IPv4 header length (IHL) is below 5 words. */
    BAD_IP_HEADER_LENGTH("IPv4 ihl header is invalid", true),
    /** The IPv4 total length exceeds the frame or is shorter than the header. */
    BAD_IP_TOTAL_LENGTH("IPv4 length header is invalid", true),
    /** The IPv4 payload is shorter than a UDP header. */
    UDP_TOO_SHORT("packet is too small to be a UDP packet", true),
    /** The UDP length is below 8 or exceeds the IPv4 payload. */
    BAD_UDP_LENGTH("UDP length header is invalid", true);

    private final String message;
    private final boolean warned;

    FrameReject(String message, boolean warned) {
        this.message = message;
        this.warned = warned;
    }

    /** {@return a short human-readable reason} */
    public String message() {
        return message;
    }

    /** {@return true if spead2 logs this rejection as a warning, false if its BPF filter drops it silently} */
    public boolean warnedBySpead2() {
        return warned;
    }
}
