package io.spead4j.send;

import io.spead4j.BugCompat;
import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.FormatEntry;
import io.spead4j.Spead;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketWriter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link Descriptor} as the value of a SPEAD DESCRIPTOR item (0x05): one complete SPEAD packet in
 * the heap's flavour, byte for byte as spead2 does.
 *
 * <p>The packet has 9 item pointers, 10 when a numpy header is present: HEAP_CNT = 1, HEAP_LENGTH,
 * PAYLOAD_OFFSET = 0, PAYLOAD_LENGTH (all immediate), DESCRIPTOR_ID (immediate), then the addressed fields
 * NAME, DESCRIPTION, FORMAT, SHAPE and optionally DTYPE, in that order with cumulative addresses. Format
 * entries are one code byte plus a big-endian width, shape entries one flag byte (0, or 1/2 for a variable
 * dimension depending on {@link BugCompat#SHAPE_BIT_1}) plus a big-endian size; their widths depend on the
 * flavour and {@link BugCompat#DESCRIPTOR_WIDTHS}. Widths and sizes too large for their field are truncated
 * to its low bytes, as spead2 does (it does not check them).
 */
public final class DescriptorEncoder {
    private DescriptorEncoder() {
    }

    /**
     * Size in bytes of one format entry for a flavour.
     *
     * @param flavour the flavour
     * @return 4 with {@link BugCompat#DESCRIPTOR_WIDTHS}, else {@code 1 + (64 - A) / 8}
     */
    public static int formatEntrySize(Flavour flavour) {
        return (flavour.bugCompat() & BugCompat.DESCRIPTOR_WIDTHS) != 0 ? 4 : 9 - flavour.heapAddressBytes();
    }

    /**
     * Size in bytes of one shape entry for a flavour.
     *
     * @param flavour the flavour
     * @return 8 with {@link BugCompat#DESCRIPTOR_WIDTHS}, else {@code 1 + A / 8}
     */
    public static int shapeEntrySize(Flavour flavour) {
        return (flavour.bugCompat() & BugCompat.DESCRIPTOR_WIDTHS) != 0 ? 8 : 1 + flavour.heapAddressBytes();
    }

    /**
     * Encodes a descriptor.
     *
     * @param descriptor the descriptor; name, description and numpy header are encoded as ASCII (ISO-8859-1
     *     for characters beyond ASCII, one byte each)
     * @param flavour the flavour of the heap that will carry it
     * @return the encoded packet
     * @throws IllegalArgumentException if the described id is not in {@code 1 .. 2^(63-A) - 1}
     */
    public static byte[] encode(Descriptor descriptor, Flavour flavour) {
        long id = descriptor.id();
        if (id <= 0 || id > flavour.maxItemId()) {
            throw new IllegalArgumentException("descriptor item id " + id + " out of range 1.."
                    + flavour.maxItemId() + " for " + flavour);
        }
        int bits = flavour.heapAddressBits();
        int formatSize = formatEntrySize(flavour);
        int shapeSize = shapeEntrySize(flavour);
        byte[] name = descriptor.name().getBytes(StandardCharsets.ISO_8859_1);
        byte[] description = descriptor.description().getBytes(StandardCharsets.ISO_8859_1);
        byte[] numpy = descriptor.numpyHeader().getBytes(StandardCharsets.ISO_8859_1);
        boolean haveNumpy = numpy.length > 0;
        int numItems = haveNumpy ? 10 : 9;
        long payload = (long) name.length + description.length
                + (long) descriptor.format().size() * formatSize
                + (long) descriptor.shape().size() * shapeSize + numpy.length;
        long total = PacketWriter.packetSize(numItems, payload);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("descriptor too large: " + total + " bytes");
        }
        byte[] out = new byte[(int) total];
        MemorySegment seg = MemorySegment.ofArray(out);
        long pos = PacketWriter.writeHeader(seg, 0, bits, numItems);
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.HEAP_CNT_ID, 1, bits));
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.HEAP_LENGTH_ID, payload, bits));
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.PAYLOAD_OFFSET_ID, 0, bits));
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.PAYLOAD_LENGTH_ID, payload, bits));
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.immediate(Spead.DESCRIPTOR_ID_ID, id, bits));
        long address = 0;
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.address(Spead.DESCRIPTOR_NAME_ID, address, bits));
        address += name.length;
        pos = PacketWriter.writePointer(seg, pos,
                ItemPointer.address(Spead.DESCRIPTOR_DESCRIPTION_ID, address, bits));
        address += description.length;
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.address(Spead.DESCRIPTOR_FORMAT_ID, address, bits));
        address += (long) descriptor.format().size() * formatSize;
        pos = PacketWriter.writePointer(seg, pos, ItemPointer.address(Spead.DESCRIPTOR_SHAPE_ID, address, bits));
        address += (long) descriptor.shape().size() * shapeSize;
        if (haveNumpy) {
            pos = PacketWriter.writePointer(seg, pos,
                    ItemPointer.address(Spead.DESCRIPTOR_DTYPE_ID, address, bits));
        }
        int p = (int) pos;
        System.arraycopy(name, 0, out, p, name.length);
        p += name.length;
        System.arraycopy(description, 0, out, p, description.length);
        p += description.length;
        for (FormatEntry entry : descriptor.format()) {
            out[p] = (byte) entry.code();
            storeBigEndian(seg, p + 1, formatSize - 1, entry.bits());
            p += formatSize;
        }
        byte variableFlag = (byte) ((flavour.bugCompat() & BugCompat.SHAPE_BIT_1) != 0 ? 2 : 1);
        for (long dim : descriptor.shape()) {
            out[p] = dim < 0 ? variableFlag : 0;
            storeBigEndian(seg, p + 1, shapeSize - 1, dim < 0 ? 0 : dim);
            p += shapeSize;
        }
        System.arraycopy(numpy, 0, out, p, numpy.length);
        return out;
    }

    /** Writes the low {@code length} bytes of {@code value}, big-endian. */
    private static void storeBigEndian(MemorySegment seg, long offset, int length, long value) {
        for (int i = length - 1; i >= 0; i--) {
            seg.set(ValueLayout.JAVA_BYTE, offset + i, (byte) value);
            value >>>= 8;
        }
    }
}
