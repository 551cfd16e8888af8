package io.spead4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes classic pcap files: by default nanosecond timestamps (magic {@code a1b23c4d}), little-endian, link
 * type Ethernet. {@link #writeUdp} wraps a payload in Ethernet/IPv4/UDP headers ({@link UdpFrameBuilder});
 * {@link #writeFrame} writes a raw frame. Output is buffered; {@link #close()} flushes. Not thread-safe.
 */
public final class PcapWriter implements AutoCloseable {
    /** Timestamp resolution of a classic pcap file. */
    public enum Resolution {
        /** Magic a1b2c3d4: the fraction field counts microseconds. */
        MICROSECONDS,
        /** Magic a1b23c4d: the fraction field counts nanoseconds. */
        NANOSECONDS
    }

    /** Default snaplen written to the header. */
    public static final int DEFAULT_SNAPLEN = 262144;
    private static final int RECORD_HEADER = 16;

    private final OutputBuffer out;
    private final ValueLayout.OfInt u32;
    private final Resolution resolution;
    private final int linkType;
    private int identification;

    private PcapWriter(WritableByteChannel channel, ByteOrder order, Resolution resolution, int linkType, int snaplen)
            throws IOException {
        this.out = new OutputBuffer(channel, 1 << 20);
        this.u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        this.resolution = resolution;
        this.linkType = linkType;
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
        int at = out.reserve(24);
        MemorySegment s = out.segment();
        s.set(u32, at, resolution == Resolution.NANOSECONDS ? PcapReader.PCAP_MAGIC_NANOS : PcapReader.PCAP_MAGIC_MICROS);
        s.set(u16, at + 4, (short) 2);
        s.set(u16, at + 6, (short) 4);
        s.set(u32, at + 8, 0);
        s.set(u32, at + 12, 0);
        s.set(u32, at + 16, snaplen);
        s.set(u32, at + 20, linkType);
        out.commit(24);
    }

    /**
     * Creates (or truncates) a nanosecond, little-endian, Ethernet pcap file.
     *
     * @param path the file
     * @return the writer
     * @throws IOException if the file cannot be created
     */
    public static PcapWriter create(Path path) throws IOException {
        return create(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), ByteOrder.LITTLE_ENDIAN, Resolution.NANOSECONDS,
                PcapFrame.LINKTYPE_ETHERNET, DEFAULT_SNAPLEN);
    }

    /**
     * Starts a pcap stream on a channel; the writer closes the channel when closed.
     *
     * @param channel destination
     * @param order byte order of the header and record fields
     * @param resolution timestamp resolution
     * @param linkType link type written in the header ({@link #writeUdp} requires Ethernet)
     * @param snaplen snaplen written in the header (informative; frames are never cut)
     * @return the writer
     * @throws IOException if the header cannot be written
     */
    public static PcapWriter create(WritableByteChannel channel, ByteOrder order, Resolution resolution, int linkType,
            int snaplen) throws IOException {
        if (linkType < 0 || linkType > 0xffff) {
            throw new IllegalArgumentException("link type must be 0..65535, got " + linkType);
        }
        if (snaplen < 0) {
            throw new IllegalArgumentException("snaplen must be >= 0, got " + snaplen);
        }
        return new PcapWriter(channel, order, resolution, linkType, snaplen);
    }

    /**
     * Writes a UDP datagram as an Ethernet frame.
     *
     * @param sourceAddress big-endian IPv4 source (see {@link UdpFrameDecoder#parseAddress})
     * @param sourcePort UDP source port
     * @param destinationAddress big-endian IPv4 destination
     * @param destinationPort UDP destination port
     * @param payload the UDP payload, at most {@link UdpFrameBuilder#MAX_PAYLOAD} bytes
     * @param timestampNanos capture time, nanoseconds since the epoch (≥ 0)
     * @throws IOException on a write error
     */
    public void writeUdp(int sourceAddress, int sourcePort, int destinationAddress, int destinationPort,
            MemorySegment payload, long timestampNanos) throws IOException {
        if (linkType != PcapFrame.LINKTYPE_ETHERNET) {
            throw new IllegalStateException("writeUdp builds Ethernet frames but this file has link type " + linkType);
        }
        if (payload.byteSize() > UdpFrameBuilder.MAX_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload must be at most " + UdpFrameBuilder.MAX_PAYLOAD
                    + " bytes, got " + payload.byteSize());
        }
        int length = UdpFrameBuilder.HEADERS + (int) payload.byteSize();
        int at = writeRecordHeader(length, length, timestampNanos);
        MemorySegment s = out.segment();
        UdpFrameBuilder.writeHeaders(s, at, sourceAddress, sourcePort, destinationAddress, destinationPort,
                (int) payload.byteSize(), identification++);
        MemorySegment.copy(payload, 0, s, at + UdpFrameBuilder.HEADERS, payload.byteSize());
        out.commit(length);
    }

    /**
     * Writes a raw frame, complete (original length = captured length).
     *
     * @param frame the frame bytes
     * @param timestampNanos capture time, nanoseconds since the epoch (≥ 0)
     * @throws IOException on a write error
     */
    public void writeFrame(MemorySegment frame, long timestampNanos) throws IOException {
        writeFrame(frame, (int) Math.min(frame.byteSize(), Integer.MAX_VALUE), timestampNanos);
    }

    /**
     * Writes a raw frame that may have been truncated by the capture.
     *
     * @param frame the captured bytes
     * @param originalLength the frame's length on the wire (≥ captured length for a real capture)
     * @param timestampNanos capture time, nanoseconds since the epoch (≥ 0)
     * @throws IOException on a write error
     */
    public void writeFrame(MemorySegment frame, int originalLength, long timestampNanos) throws IOException {
        if (frame.byteSize() > PcapReader.MAX_RECORD_SIZE) {
            throw new IllegalArgumentException("frame of " + frame.byteSize() + " bytes is too large");
        }
        int length = (int) frame.byteSize();
        int at = writeRecordHeader(length, originalLength, timestampNanos);
        MemorySegment.copy(frame, 0, out.segment(), at, length);
        out.commit(length);
    }

    private int writeRecordHeader(int captured, int original, long timestampNanos) throws IOException {
        if (timestampNanos < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0 ns, got " + timestampNanos);
        }
        if (original < 0) {
            throw new IllegalArgumentException("original length must be >= 0, got " + original);
        }
        long seconds = timestampNanos / 1_000_000_000L;
        if (seconds > 0xffffffffL) {
            throw new IllegalArgumentException("timestamp " + timestampNanos + " ns does not fit 32-bit pcap seconds");
        }
        long fraction = timestampNanos % 1_000_000_000L;
        if (resolution == Resolution.MICROSECONDS) {
            fraction /= 1000;
        }
        int at = out.reserve(RECORD_HEADER + captured);
        MemorySegment s = out.segment();
        s.set(u32, at, (int) seconds);
        s.set(u32, at + 4, (int) fraction);
        s.set(u32, at + 8, captured);
        s.set(u32, at + 12, original);
        out.commit(RECORD_HEADER);
        return at + RECORD_HEADER;
    }

    /**
     * Writes buffered records to the channel.
     *
     * @throws IOException on a write error
     */
    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes and closes the channel. */
    @Override
    public void close() throws IOException {
        out.close();
    }
}
