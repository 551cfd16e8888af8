package io.spead4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Writes pcapng: section header blocks (either byte order), interface description blocks (link type,
 * snaplen, {@code if_tsresol}), enhanced and simple packet blocks, and arbitrary blocks (to test readers).
 * {@link #create(Path)} starts a little-endian section with one Ethernet interface at nanosecond resolution
 * ({@code if_tsresol} 9). Output is buffered; {@link #close()} flushes. Not thread-safe.
 */
public final class PcapngWriter implements AutoCloseable {
    /** {@code if_tsresol} value for nanoseconds. */
    public static final int TSRESOL_NANOSECONDS = 9;
    /** {@code if_tsresol} value for microseconds (the pcapng default). */
    public static final int TSRESOL_MICROSECONDS = 6;

    private final OutputBuffer out;
    private ValueLayout.OfInt u32;
    private ValueLayout.OfShort u16;
    private ValueLayout.OfLong u64;
    private boolean inSection;
    private int interfaceCount;
    private int[] interfaceLinkType = new int[4];
    private int[] interfaceTsresol = new int[4];
    private int identification;

    private PcapngWriter(WritableByteChannel channel) {
        this.out = new OutputBuffer(channel, 1 << 20);
    }

    /**
     * Creates (or truncates) a file holding a little-endian section with one Ethernet, nanosecond interface.
     *
     * @param path the file
     * @return the writer
     * @throws IOException if the file cannot be created
     */
    public static PcapngWriter create(Path path) throws IOException {
        return create(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Starts a stream holding a section in {@code order} with one Ethernet, nanosecond interface (0).
     *
     * @param channel destination, closed with the writer
     * @param order byte order of the section
     * @return the writer
     * @throws IOException on a write error
     */
    public static PcapngWriter create(WritableByteChannel channel, ByteOrder order) throws IOException {
        PcapngWriter w = new PcapngWriter(channel);
        w.startSection(order);
        w.addInterface(PcapFrame.LINKTYPE_ETHERNET, 0, TSRESOL_NANOSECONDS);
        return w;
    }

    /**
     * Starts a stream with nothing written yet: call {@link #startSection} first.
     *
     * @param channel destination, closed with the writer
     * @return the writer
     */
    public static PcapngWriter createEmpty(WritableByteChannel channel) {
        return new PcapngWriter(channel);
    }

    /**
     * Writes a section header block; the new section has no interfaces until {@link #addInterface}.
     *
     * @param order byte order of the section
     * @throws IOException on a write error
     */
    public void startSection(ByteOrder order) throws IOException {
        u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
        u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
        int length = 28;
        int at = out.reserve(length);
        MemorySegment s = out.segment();
        s.set(u32, at, PcapReader.PCAPNG_SHB);
        s.set(u32, at + 4, length);
        s.set(u32, at + 8, PcapReader.PCAPNG_BYTE_ORDER_MAGIC);
        s.set(u16, at + 12, (short) 1);
        s.set(u16, at + 14, (short) 0);
        s.set(u64, at + 16, -1L);
        s.set(u32, at + 24, length);
        out.commit(length);
        inSection = true;
        interfaceCount = 0;
    }

    /**
     * Writes an interface description block.
     *
     * @param linkType link type, 0..65535
     * @param snaplen snaplen (0 = unlimited)
     * @param tsresol the {@code if_tsresol} byte: 0..18 for 10^-n seconds, 0x80|n (n ≤ 62) for 2^-n
     * @return the interface id within the section
     * @throws IOException on a write error
     */
    public int addInterface(int linkType, int snaplen, int tsresol) throws IOException {
        requireSection();
        if (linkType < 0 || linkType > 0xffff) {
            throw new IllegalArgumentException("link type must be 0..65535, got " + linkType);
        }
        if ((tsresol & 0x80) == 0 ? tsresol < 0 || tsresol > 18 : tsresol > 0x80 + 62) {
            throw new IllegalArgumentException("if_tsresol must be 0..18 or 0x80..0xbe, got " + tsresol);
        }
        int length = 32;
        int at = out.reserve(length);
        MemorySegment s = out.segment();
        s.set(u32, at, PcapReader.PCAPNG_IDB);
        s.set(u32, at + 4, length);
        s.set(u16, at + 8, (short) linkType);
        s.set(u16, at + 10, (short) 0);
        s.set(u32, at + 12, snaplen);
        s.set(u16, at + 16, (short) PcapReader.OPT_IF_TSRESOL);
        s.set(u16, at + 18, (short) 1);
        s.set(u32, at + 20, 0);
        s.set(ValueLayout.JAVA_BYTE, at + 20, (byte) tsresol);
        s.set(u16, at + 24, (short) PcapReader.OPT_END);
        s.set(u16, at + 26, (short) 0);
        s.set(u32, at + 28, length);
        out.commit(length);
        if (interfaceCount == interfaceLinkType.length) {
            interfaceLinkType = Arrays.copyOf(interfaceLinkType, interfaceCount * 2);
            interfaceTsresol = Arrays.copyOf(interfaceTsresol, interfaceCount * 2);
        }
        interfaceLinkType[interfaceCount] = linkType;
        interfaceTsresol[interfaceCount] = tsresol;
        return interfaceCount++;
    }

    /**
     * Writes a UDP datagram as an Ethernet frame in an enhanced packet block on interface 0.
     *
     * @param sourceAddress big-endian IPv4 source
     * @param sourcePort UDP source port
     * @param destinationAddress big-endian IPv4 destination
     * @param destinationPort UDP destination port
     * @param payload the payload, at most {@link UdpFrameBuilder#MAX_PAYLOAD} bytes
     * @param timestampNanos capture time in nanoseconds since the epoch
     * @throws IOException on a write error
     */
    public void writeUdp(int sourceAddress, int sourcePort, int destinationAddress, int destinationPort,
            MemorySegment payload, long timestampNanos) throws IOException {
        requireInterface(0);
        if (interfaceLinkType[0] != PcapFrame.LINKTYPE_ETHERNET) {
            throw new IllegalStateException("writeUdp builds Ethernet frames but interface 0 has link type "
                    + interfaceLinkType[0]);
        }
        if (payload.byteSize() > UdpFrameBuilder.MAX_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload must be at most " + UdpFrameBuilder.MAX_PAYLOAD
                    + " bytes, got " + payload.byteSize());
        }
        int frame = UdpFrameBuilder.HEADERS + (int) payload.byteSize();
        int at = writeEnhancedHeader(0, frame, frame, timestampNanos);
        MemorySegment s = out.segment();
        UdpFrameBuilder.writeHeaders(s, at, sourceAddress, sourcePort, destinationAddress, destinationPort,
                (int) payload.byteSize(), identification++);
        MemorySegment.copy(payload, 0, s, at + UdpFrameBuilder.HEADERS, payload.byteSize());
        finishPacket(at, frame);
    }

    /**
     * Writes a frame in an enhanced packet block.
     *
     * @param interfaceId interface of the current section
     * @param frame captured bytes
     * @param originalLength length on the wire
     * @param timestampNanos capture time in nanoseconds since the epoch
     * @throws IOException on a write error
     */
    public void writeFrame(int interfaceId, MemorySegment frame, int originalLength, long timestampNanos)
            throws IOException {
        requireInterface(interfaceId);
        int length = checkedLength(frame);
        int at = writeEnhancedHeader(interfaceId, length, originalLength, timestampNanos);
        MemorySegment.copy(frame, 0, out.segment(), at, length);
        finishPacket(at, length);
    }

    /**
     * Writes a frame in a simple packet block (interface 0, no timestamp); readers take the captured length
     * as min(original length, bytes in the block, snaplen).
     *
     * @param frame bytes stored in the block
     * @param originalLength the length on the wire
     * @throws IOException on a write error
     */
    public void writeSimplePacket(MemorySegment frame, int originalLength) throws IOException {
        requireInterface(0);
        int length = checkedLength(frame);
        int padded = (length + 3) & ~3;
        int block = 16 + padded;
        int at = out.reserve(block);
        MemorySegment s = out.segment();
        s.set(u32, at, PcapReader.PCAPNG_SPB);
        s.set(u32, at + 4, block);
        s.set(u32, at + 8, originalLength);
        MemorySegment.copy(frame, 0, s, at + 12, length);
        s.asSlice(at + 12 + length, padded - length).fill((byte) 0);
        s.set(u32, at + block - 4, block);
        out.commit(block);
    }

    /**
     * Writes any block (for instance a type the reader must skip); the body is padded to 32 bits.
     *
     * @param type block type
     * @param body block body (between the length fields)
     * @throws IOException on a write error
     */
    public void writeBlock(int type, MemorySegment body) throws IOException {
        requireSection();
        int length = checkedLength(body);
        int padded = (length + 3) & ~3;
        int block = 12 + padded;
        int at = out.reserve(block);
        MemorySegment s = out.segment();
        s.set(u32, at, type);
        s.set(u32, at + 4, block);
        MemorySegment.copy(body, 0, s, at + 8, length);
        s.asSlice(at + 8 + length, padded - length).fill((byte) 0);
        s.set(u32, at + block - 4, block);
        out.commit(block);
    }

    private int writeEnhancedHeader(int iface, int captured, int original, long timestampNanos) throws IOException {
        long units = toUnits(interfaceTsresol[iface], timestampNanos);
        int block = 32 + ((captured + 3) & ~3);
        int at = out.reserve(block);
        MemorySegment s = out.segment();
        s.set(u32, at, PcapReader.PCAPNG_EPB);
        s.set(u32, at + 4, block);
        s.set(u32, at + 8, iface);
        s.set(u32, at + 12, (int) (units >>> 32));
        s.set(u32, at + 16, (int) units);
        s.set(u32, at + 20, captured);
        s.set(u32, at + 24, original);
        return at + 28;
    }

    private void finishPacket(int data, int captured) {
        int padded = (captured + 3) & ~3;
        MemorySegment s = out.segment();
        s.asSlice(data + captured, padded - captured).fill((byte) 0);
        int block = 32 + padded;
        s.set(u32, data + padded, block);
        out.commit(block);
    }

    private static long toUnits(int tsresol, long nanos) {
        int exponent = tsresol & 0x7f;
        if ((tsresol & 0x80) != 0) {
            return BigInteger.valueOf(nanos).shiftLeft(exponent).divide(BigInteger.valueOf(1_000_000_000L)).longValue();
        }
        long units = nanos;
        for (int e = exponent; e < 9; e++) {
            units /= 10;
        }
        for (int e = 9; e < exponent; e++) {
            units = Math.multiplyExact(units, 10);
        }
        return units;
    }

    private static int checkedLength(MemorySegment data) {
        if (data.byteSize() > PcapReader.MAX_RECORD_SIZE - 64) {
            throw new IllegalArgumentException("block data of " + data.byteSize() + " bytes is too large");
        }
        return (int) data.byteSize();
    }

    private void requireSection() {
        if (!inSection) {
            throw new IllegalStateException("no section started: call startSection first");
        }
    }

    private void requireInterface(int iface) {
        requireSection();
        if (iface < 0 || iface >= interfaceCount) {
            throw new IllegalArgumentException("interface " + iface + " is not described in this section ("
                    + interfaceCount + " interfaces)");
        }
    }

    /**
     * Writes buffered blocks to the channel.
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
