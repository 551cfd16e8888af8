package io.spead4j.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The UDP datagrams of a capture file, as spead2's {@code add_udp_pcap_file_reader(filename, filter)} sees
 * them: a {@link PcapReader} whose frames go through {@link UdpFrameDecoder} (spead2's fixed filter and frame
 * checks) and then a user {@link PacketFilter}. Opening refuses files whose link type is neither Ethernet nor
 * Linux SLL, as spead2 does. Rejected frames are logged at debug and counted per {@link FrameReject};
 * frames that fail the user filter are counted by {@link #filtered()}. Allocates nothing per frame.
 * Not thread-safe.
 */
public final class UdpPcapReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpPcapReader.class);

    private final PcapReader reader;
    private final PacketFilter filter;
    private final PcapFrame frame = new PcapFrame();
    private final UdpFrameDecoder datagram = new UdpFrameDecoder();
    private final long[] rejected = new long[FrameReject.values().length];
    private final RejectLog rejectLog = new RejectLog(LOG, "pcap frames");
    private long filtered;
    private long accepted;

    private UdpPcapReader(PcapReader reader, PacketFilter filter) {
        this.reader = reader;
        this.filter = filter;
    }

    /**
     * Opens a capture file.
     *
     * @param path pcap or pcapng file
     * @param filter a {@link PacketFilter} expression ("" for all datagrams)
     * @return the reader
     * @throws IOException if the file cannot be read or is not a capture
     * @throws IllegalArgumentException if the filter is unsupported or the link type is neither Ethernet nor
     *     Linux SLL
     */
    public static UdpPcapReader open(Path path, String filter) throws IOException {
        PacketFilter parsed = PacketFilter.parse(filter);
        return open(PcapReader.open(path), parsed);
    }

    /**
     * Wraps an open capture reader, closing it if its link type is refused.
     *
     * @param reader positioned before its first frame
     * @param filter the user filter
     * @return the reader, which owns {@code reader}
     * @throws IOException if closing a refused reader fails
     * @throws IllegalArgumentException if the link type is neither Ethernet nor Linux SLL
     */
    public static UdpPcapReader open(PcapReader reader, PacketFilter filter) throws IOException {
        int linkType = reader.linkType();
        if (linkType >= 0 && !UdpFrameDecoder.isSupportedLinkType(linkType)) {
            reader.close();
            UdpFrameDecoder.requireSupportedLinkType(linkType);
        }
        return new UdpPcapReader(reader, filter);
    }

    /**
     * Advances to the next datagram that passes every check and the filter.
     *
     * @return false at the end of the file
     * @throws IOException on a read error or a corrupt file
     */
    public boolean next() throws IOException {
        while (reader.next(frame)) {
            FrameReject why = datagram.decode(frame);
            if (why != FrameReject.OK) {
                rejected[why.ordinal()]++;
                if (rejectLog.next()) {
                    rejectLog.detail("frame " + reader.framesRead() + ": " + why.message());
                }
            } else if (!filter.matches(datagram)) {
                filtered++;
            } else {
                accepted++;
                return true;
            }
        }
        return false;
    }

    /** {@return the current datagram (addresses, ports, payload); valid until the next {@link #next()}} */
    public UdpFrameDecoder datagram() {
        return datagram;
    }

    /** {@return the current frame (timestamp, lengths)} */
    public PcapFrame frame() {
        return frame;
    }

    /** @return the number of frames discarded for {@code reason} @param reason a reject reason */
    public long rejected(FrameReject reason) {
        return rejected[reason.ordinal()];
    }

    /** {@return the number of well-formed datagrams the user filter discarded} */
    public long filtered() {
        return filtered;
    }

    /** {@return the number of datagrams returned by {@link #next()}} */
    public long accepted() {
        return accepted;
    }

    /** {@return the underlying capture reader (format, truncation, frame count)} */
    public PcapReader capture() {
        return reader;
    }

    /** Closes the file. */
    @Override
    public void close() throws IOException {
        rejectLog.summarise();
        reader.close();
    }
}
