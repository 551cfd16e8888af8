package io.spead4j.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads packet-capture files without libpcap: classic pcap (magic {@code a1b2c3d4} with microsecond or
 * {@code a1b23c4d} with nanosecond timestamps, in either byte order) and pcapng (sections in either byte
 * order, interface description blocks with link type, snaplen, {@code if_tsresol} and {@code if_tsoffset},
 * enhanced, simple and obsolete packet blocks; other blocks are skipped by their length).
 *
 * <p>The file is read through a channel in large chunks into one reusable direct buffer; {@link #next}
 * fills a caller-owned {@link PcapFrame} that points into that buffer, so reading allocates nothing per
 * frame. A truncated last record ends the file cleanly (logged at debug, see {@link #truncated()}); a
 * corrupt length inside the file throws {@link IOException}. Not thread-safe.
 */
public final class PcapReader implements AutoCloseable {
    /** The two container formats understood. */
    public enum Format {
        /** Classic libpcap format. */
        PCAP,
        /** pcap next generation. */
        PCAPNG
    }

    private static final Logger LOG = LoggerFactory.getLogger(PcapReader.class);

    /** Largest record or block accepted, in bytes (larger ones mean a corrupt file). */
    public static final int MAX_RECORD_SIZE = 64 << 20;
    static final int DEFAULT_BUFFER_SIZE = 1 << 20;

    static final int PCAP_MAGIC_MICROS = 0xa1b2c3d4;
    static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
    static final int PCAPNG_SHB = 0x0a0d0d0a;
    static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    static final int PCAPNG_IDB = 1;
    static final int PCAPNG_OPB = 2;
    static final int PCAPNG_SPB = 3;
    static final int PCAPNG_EPB = 6;
    static final int OPT_END = 0;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;
    private static final int CLASSIC_HEADER = 24;
    private static final int CLASSIC_RECORD_HEADER = 16;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final ReadableByteChannel channel;
    private final String source;
    private final Format format;
    private ByteBuffer buffer;
    private MemorySegment segment;
    private int pos;
    private int limit;
    private boolean eof;
    private boolean truncated;
    private boolean closed;

    private ValueLayout.OfInt u32;
    private ValueLayout.OfShort u16;
    private ValueLayout.OfLong u64;

    private int classicLinkType;
    private int classicSnaplen;
    private long classicFractionNanos;

    private int interfaceCount;
    private int[] ifLinkType = new int[4];
    private int[] ifSnaplen = new int[4];
    private long[] ifUnitsPerSecond = new long[4];
    private int[] ifBase2Exponent = new int[4];
    private long[] ifOffsetNanos = new long[4];
    private int firstLinkType = -1;
    private int sections;

    private boolean pending;
    private int pendingOffset;
    private int pendingCaptured;
    private int pendingOriginal;
    private int pendingLinkType;
    private long pendingTimestamp;
    private int pendingInterface;
    private long frames;

    private PcapReader(ReadableByteChannel channel, String source, int bufferSize) throws IOException {
        this.channel = channel;
        this.source = source;
        this.buffer = ByteBuffer.allocateDirect(bufferSize);
        this.segment = MemorySegment.ofBuffer(buffer);
        boolean ok = false;
        try {
            if (!fill(4)) {
                throw new IOException("not a pcap or pcapng file (only " + (limit - pos) + " bytes): " + source);
            }
            int magic = segment.get(BE_INT, pos);
            if (magic == PCAPNG_SHB) {
                format = Format.PCAPNG;
            } else {
                format = Format.PCAP;
                readClassicHeader(magic);
            }
            advance();
            ok = true;
        } finally {
            if (!ok) {
                channel.close();
            }
        }
    }

    /**
     * Opens a capture file.
     *
     * @param path the file
     * @return a reader positioned before the first frame
     * @throws IOException if the file cannot be read or is neither pcap nor pcapng
     */
    public static PcapReader open(Path path) throws IOException {
        return new PcapReader(FileChannel.open(path, StandardOpenOption.READ), path.toString(), DEFAULT_BUFFER_SIZE);
    }

    /**
     * Reads a capture from any channel (a pipe, for instance); the reader closes it when closed.
     *
     * @param channel the data
     * @param name name used in messages
     * @param bufferSize initial read buffer size in bytes (grown when a record needs more)
     * @return a reader positioned before the first frame
     * @throws IOException if the data cannot be read or is neither pcap nor pcapng
     */
    public static PcapReader open(ReadableByteChannel channel, String name, int bufferSize) throws IOException {
        if (bufferSize < 64) {
            throw new IllegalArgumentException("buffer size must be at least 64 bytes, got " + bufferSize);
        }
        return new PcapReader(channel, name, bufferSize);
    }

    private void readClassicHeader(int magic) throws IOException {
        ByteOrder order;
        if (magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (Integer.reverseBytes(magic) == PCAP_MAGIC_MICROS || Integer.reverseBytes(magic) == PCAP_MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
            magic = Integer.reverseBytes(magic);
        } else {
            throw new IOException(String.format("not a pcap or pcapng file (magic 0x%08x): %s", magic, source));
        }
        setOrder(order);
        classicFractionNanos = magic == PCAP_MAGIC_NANOS ? 1 : 1000;
        if (!fill(CLASSIC_HEADER)) {
            throw new EOFException("truncated pcap file header (" + (limit - pos) + " of 24 bytes): " + source);
        }
        int major = Short.toUnsignedInt(segment.get(u16, pos + 4));
        if (major != 2) {
            throw new IOException("unsupported pcap version " + major + " (expected 2): " + source);
        }
        classicSnaplen = segment.get(u32, pos + 16);
        // the upper bits of the link type field carry FCS information (as libpcap's LT_LINKTYPE)
        classicLinkType = segment.get(u32, pos + 20) & 0x03ffffff;
        firstLinkType = classicLinkType;
        pos += CLASSIC_HEADER;
    }

    private void setOrder(ByteOrder order) {
        u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
        u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
    }

    /**
     * Reads the next frame.
     *
     * @param frame filled with the frame; its bytes stay valid until the next call or {@link #close()}
     * @return false at the end of the file (or of its last complete record)
     * @throws IOException on a read error or a corrupt record
     */
    public boolean next(PcapFrame frame) throws IOException {
        if (closed) {
            throw new IllegalStateException("reader is closed");
        }
        if (!pending && !advance()) {
            return false;
        }
        pending = false;
        frames++;
        frame.set(segment, pendingOffset, pendingCaptured, pendingOriginal, pendingLinkType, pendingTimestamp,
                pendingInterface);
        return true;
    }

    /** Positions the next frame as pending; returns false at the end. */
    private boolean advance() throws IOException {
        pending = format == Format.PCAP ? advanceClassic() : advancePcapng();
        return pending;
    }

    private boolean advanceClassic() throws IOException {
        if (!fill(CLASSIC_RECORD_HEADER)) {
            return endOfData("record header");
        }
        long seconds = Integer.toUnsignedLong(segment.get(u32, pos));
        long fraction = Integer.toUnsignedLong(segment.get(u32, pos + 4));
        int captured = segment.get(u32, pos + 8);
        int original = segment.get(u32, pos + 12);
        if (captured < 0 || captured > MAX_RECORD_SIZE) {
            throw new IOException("corrupt pcap record: captured length " + Integer.toUnsignedString(captured)
                    + " after frame " + frames + ": " + source);
        }
        if (!fill(CLASSIC_RECORD_HEADER + captured)) {
            return endOfData("frame of " + captured + " bytes");
        }
        setPending(pos + CLASSIC_RECORD_HEADER, captured, original, classicLinkType,
                seconds * NANOS_PER_SECOND + fraction * classicFractionNanos, 0);
        pos += CLASSIC_RECORD_HEADER + captured;
        return true;
    }

    private boolean advancePcapng() throws IOException {
        while (true) {
            if (!fill(12)) {
                return endOfData("block header");
            }
            int type = segment.get(BE_INT, pos);
            if (type == PCAPNG_SHB) {
                int magic = segment.get(BE_INT, pos + 8);
                if (magic == PCAPNG_BYTE_ORDER_MAGIC) {
                    setOrder(ByteOrder.BIG_ENDIAN);
                } else if (magic == Integer.reverseBytes(PCAPNG_BYTE_ORDER_MAGIC)) {
                    setOrder(ByteOrder.LITTLE_ENDIAN);
                } else {
                    throw new IOException(String.format(
                            "corrupt pcapng section header: byte-order magic 0x%08x: %s", magic, source));
                }
            } else if (sections == 0) {
                throw new IOException("corrupt pcapng file: first block is not a section header: " + source);
            } else {
                type = segment.get(u32, pos);
            }
            int length = segment.get(u32, pos + 4);
            if (length < 12 || length > MAX_RECORD_SIZE || (length & 3) != 0) {
                throw new IOException("corrupt pcapng block of type 0x" + Integer.toHexString(type) + ": length "
                        + Integer.toUnsignedString(length) + " after frame " + frames + ": " + source);
            }
            if (!fill(length)) {
                return endOfData("block of " + length + " bytes");
            }
            int trailer = segment.get(u32, pos + length - 4);
            if (trailer != length) {
                throw new IOException("corrupt pcapng block of type 0x" + Integer.toHexString(type)
                        + ": trailing length " + Integer.toUnsignedString(trailer) + " != " + length + ": " + source);
            }
            int block = pos;
            pos += length;
            switch (type) {
                case PCAPNG_SHB -> readSectionHeader(block, length);
                case PCAPNG_IDB -> readInterface(block, length);
                case PCAPNG_EPB, PCAPNG_OPB -> {
                    readPacketBlock(block, length, type == PCAPNG_OPB);
                    return true;
                }
                case PCAPNG_SPB -> {
                    readSimplePacket(block, length);
                    return true;
                }
                default -> {
                    if (LOG.isTraceEnabled()) {
                        LOG.trace("skipping pcapng block of type 0x{} ({} bytes)", Integer.toHexString(type), length);
                    }
                }
            }
        }
    }

    private void readSectionHeader(int block, int length) throws IOException {
        if (length < 28) {
            throw new IOException("corrupt pcapng section header: length " + length + ": " + source);
        }
        int major = Short.toUnsignedInt(segment.get(u16, block + 12));
        if (major != 1) {
            throw new IOException("unsupported pcapng version " + major + " (expected 1): " + source);
        }
        sections++;
        interfaceCount = 0;
    }

    private void readInterface(int block, int length) throws IOException {
        if (length < 20) {
            throw new IOException("corrupt pcapng interface description: length " + length + ": " + source);
        }
        if (interfaceCount == ifLinkType.length) {
            int n = interfaceCount * 2;
            ifLinkType = Arrays.copyOf(ifLinkType, n);
            ifSnaplen = Arrays.copyOf(ifSnaplen, n);
            ifUnitsPerSecond = Arrays.copyOf(ifUnitsPerSecond, n);
            ifBase2Exponent = Arrays.copyOf(ifBase2Exponent, n);
            ifOffsetNanos = Arrays.copyOf(ifOffsetNanos, n);
        }
        int i = interfaceCount;
        ifLinkType[i] = Short.toUnsignedInt(segment.get(u16, block + 8));
        ifSnaplen[i] = segment.get(u32, block + 12);
        ifUnitsPerSecond[i] = 1_000_000L;
        ifBase2Exponent[i] = -1;
        ifOffsetNanos[i] = 0;
        int opt = block + 16;
        int end = block + length - 4;
        while (opt + 4 <= end) {
            int code = Short.toUnsignedInt(segment.get(u16, opt));
            int len = Short.toUnsignedInt(segment.get(u16, opt + 2));
            if (code == OPT_END) {
                break;
            }
            if (opt + 4 + len > end) {
                throw new IOException("corrupt pcapng interface option " + code + " of length " + len + ": " + source);
            }
            if (code == OPT_IF_TSRESOL && len >= 1) {
                setResolution(i, Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, opt + 4)));
            } else if (code == OPT_IF_TSOFFSET && len >= 8) {
                ifOffsetNanos[i] = segment.get(u64, opt + 4) * NANOS_PER_SECOND;
            }
            opt += 4 + ((len + 3) & ~3);
        }
        if (firstLinkType < 0) {
            firstLinkType = ifLinkType[i];
        }
        interfaceCount++;
    }

    private void setResolution(int i, int tsresol) throws IOException {
        int exponent = tsresol & 0x7f;
        if ((tsresol & 0x80) != 0) {
            if (exponent > 62) {
                throw new IOException("unsupported if_tsresol 2^-" + exponent + ": " + source);
            }
            ifBase2Exponent[i] = exponent;
            ifUnitsPerSecond[i] = 1L << exponent;
        } else {
            if (exponent > 18) {
                throw new IOException("unsupported if_tsresol 10^-" + exponent + ": " + source);
            }
            long units = 1;
            for (int k = 0; k < exponent; k++) {
                units *= 10;
            }
            ifBase2Exponent[i] = -1;
            ifUnitsPerSecond[i] = units;
        }
    }

    private long toNanos(int i, long units) {
        long perSecond = ifUnitsPerSecond[i];
        long seconds = Long.divideUnsigned(units, perSecond);
        long fraction = Long.remainderUnsigned(units, perSecond);
        long nanos;
        if (ifBase2Exponent[i] >= 0) {
            int e = ifBase2Exponent[i];
            long lo = fraction * NANOS_PER_SECOND;
            long hi = Math.unsignedMultiplyHigh(fraction, NANOS_PER_SECOND);
            nanos = e == 0 ? lo : (hi << (64 - e)) | (lo >>> e);
        } else if (perSecond <= NANOS_PER_SECOND) {
            nanos = fraction * (NANOS_PER_SECOND / perSecond);
        } else {
            nanos = fraction / (perSecond / NANOS_PER_SECOND);
        }
        return seconds * NANOS_PER_SECOND + nanos + ifOffsetNanos[i];
    }

    private void readPacketBlock(int block, int length, boolean obsolete) throws IOException {
        if (length < 32) {
            throw new IOException("corrupt pcapng packet block: length " + length + ": " + source);
        }
        int iface = obsolete ? Short.toUnsignedInt(segment.get(u16, block + 8)) : segment.get(u32, block + 8);
        if (iface < 0 || iface >= interfaceCount) {
            throw new IOException("pcapng packet block refers to interface " + Integer.toUnsignedString(iface)
                    + " but its section describes " + interfaceCount + ": " + source);
        }
        long units = ((long) segment.get(u32, block + 12) << 32) | Integer.toUnsignedLong(segment.get(u32, block + 16));
        int captured = segment.get(u32, block + 20);
        int original = segment.get(u32, block + 24);
        if (captured < 0 || captured > length - 32) {
            throw new IOException("corrupt pcapng packet block: captured length " + Integer.toUnsignedString(captured)
                    + " does not fit in a block of " + length + " bytes: " + source);
        }
        setPending(block + 28, captured, original, ifLinkType[iface], toNanos(iface, units), iface);
    }

    private void readSimplePacket(int block, int length) throws IOException {
        if (length < 16) {
            throw new IOException("corrupt pcapng simple packet block: length " + length + ": " + source);
        }
        if (interfaceCount == 0) {
            throw new IOException("pcapng simple packet block before any interface description: " + source);
        }
        int original = segment.get(u32, block + 8);
        long room = length - 16;
        long captured = Math.min(Integer.toUnsignedLong(original), room);
        if (ifSnaplen[0] != 0) {
            captured = Math.min(captured, Integer.toUnsignedLong(ifSnaplen[0]));
        }
        setPending(block + 12, (int) captured, original, ifLinkType[0], 0, 0);
    }

    private void setPending(int offset, int captured, int original, int linkType, long timestamp, int iface) {
        pendingOffset = offset;
        pendingCaptured = captured;
        pendingOriginal = original;
        pendingLinkType = linkType;
        pendingTimestamp = timestamp;
        pendingInterface = iface;
    }

    private boolean endOfData(String what) {
        int left = limit - pos;
        if (left > 0) {
            truncated = true;
            LOG.debug("{}: truncated {} at the end ({} bytes left after {} frames); stopping", source, what, left,
                    frames);
            pos = limit;
        }
        return false;
    }

    /** Makes at least n bytes available from pos; returns false if the data ends first. */
    private boolean fill(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        if (n > buffer.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(n, Math.min(2 * buffer.capacity(), MAX_RECORD_SIZE + 64)));
            MemorySegment target = MemorySegment.ofBuffer(bigger);
            MemorySegment.copy(segment, pos, target, 0, limit - pos);
            buffer = bigger;
            segment = target;
            limit -= pos;
            pos = 0;
        } else if (pos > 0) {
            MemorySegment.copy(segment, pos, segment, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        while (limit - pos < n && !eof) {
            buffer.limit(buffer.capacity()).position(limit);
            int r = channel.read(buffer);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
        return limit - pos >= n;
    }

    /** {@return the container format} */
    public Format format() {
        return format;
    }

    /** {@return link type of the classic file, or of the first pcapng interface (-1 if none was described)} */
    public int linkType() {
        return firstLinkType;
    }

    /** {@return snaplen of a classic file (0 for pcapng, where each interface has its own)} */
    public int snaplen() {
        return format == Format.PCAP ? classicSnaplen : 0;
    }

    /** {@return number of frames returned so far} */
    public long framesRead() {
        return frames;
    }

    /** {@return number of pcapng section headers read so far (0 for classic pcap)} */
    public int sections() {
        return sections;
    }

    /** {@return true if the data ended inside a record (the partial record was ignored)} */
    public boolean truncated() {
        return truncated;
    }

    /** Closes the file; frames handed out become invalid. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
