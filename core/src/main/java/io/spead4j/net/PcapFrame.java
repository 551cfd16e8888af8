package io.spead4j.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One captured frame, filled in place by {@link PcapReader#next(PcapFrame)}: a reusable flyweight. The bytes
 * live in the reader's buffer and stay valid only until the next call to {@code next} or {@code close}.
 */
public final class PcapFrame {
    /** Link type of Ethernet (DLT_EN10MB). */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Link type of Linux "cooked" capture v1 (DLT_LINUX_SLL). */
    public static final int LINKTYPE_LINUX_SLL = 113;

    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int capturedLength;
    private int originalLength;
    private int linkType;
    private long timestampNanos;
    private int interfaceId;

    /** Creates an empty frame to be filled by a reader. */
    public PcapFrame() {
        // filled by set()
    }

    void set(MemorySegment segment, long offset, int capturedLength, int originalLength, int linkType,
            long timestampNanos, int interfaceId) {
        this.segment = segment;
        this.offset = offset;
        this.capturedLength = capturedLength;
        this.originalLength = originalLength;
        this.linkType = linkType;
        this.timestampNanos = timestampNanos;
        this.interfaceId = interfaceId;
    }

    /** {@return the memory holding the frame (the reader's buffer); the frame starts at {@link #offset()}} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return offset of the first frame byte in {@link #segment()}} */
    public long offset() {
        return offset;
    }

    /** {@return number of frame bytes present in the file (pcap {@code caplen})} */
    public int capturedLength() {
        return capturedLength;
    }

    /** {@return length of the frame on the wire (pcap {@code len}); larger than captured if truncated} */
    public int originalLength() {
        return originalLength;
    }

    /**
     * @return true if the capture kept fewer bytes than the frame had on the wire ({@code caplen < len}): only
     *     {@link #capturedLength()} bytes may be read
     */
    public boolean isTruncated() {
        return capturedLength < originalLength;
    }

    /** {@return the link-layer header type (see {@link #LINKTYPE_ETHERNET}, {@link #LINKTYPE_LINUX_SLL})} */
    public int linkType() {
        return linkType;
    }

    /** {@return capture time in nanoseconds since the Unix epoch (microsecond files give multiples of 1000)} */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** {@return the pcapng interface id of the frame (0 for classic pcap and simple packet blocks)} */
    public int interfaceId() {
        return interfaceId;
    }

    /** {@return a view of the captured bytes (allocates a segment view; prefer segment/offset on hot paths)} */
    public MemorySegment data() {
        return segment.asSlice(offset, capturedLength);
    }

    /** {@return a copy of the captured bytes (for tests and tools)} */
    public byte[] toByteArray() {
        return data().toArray(ValueLayout.JAVA_BYTE);
    }
}
