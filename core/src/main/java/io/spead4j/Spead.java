package io.spead4j;

/**
 * Reserved item ids and stream-control values of the SPEAD protocol (spead2's {@code common_defines.h}).
 */
public final class Spead {
    /** Padding; terminates the previous addressed item; never exposed as an item. */
    public static final int NULL_ID = 0x00;
    /** The heap counter (immediate, required in every packet). */
    public static final int HEAP_CNT_ID = 0x01;
    /** The heap length (immediate, optional: a heap without it is unsized). */
    public static final int HEAP_LENGTH_ID = 0x02;
    /** The offset of this packet's payload in the heap (immediate, required). */
    public static final int PAYLOAD_OFFSET_ID = 0x03;
    /** The length of this packet's payload (immediate, required). */
    public static final int PAYLOAD_LENGTH_ID = 0x04;
    /** A descriptor: an addressed item whose value is a whole SPEAD packet. */
    public static final int DESCRIPTOR_ID = 0x05;
    /** Stream control (immediate): one of the {@code CTRL_*} values. */
    public static final int STREAM_CTRL_ID = 0x06;
    /** Descriptor field: item name. */
    public static final int DESCRIPTOR_NAME_ID = 0x10;
    /** Descriptor field: item description. */
    public static final int DESCRIPTOR_DESCRIPTION_ID = 0x11;
    /** Descriptor field: shape entries. */
    public static final int DESCRIPTOR_SHAPE_ID = 0x12;
    /** Descriptor field: legacy format entries. */
    public static final int DESCRIPTOR_FORMAT_ID = 0x13;
    /** Descriptor field: the described item's id (immediate). */
    public static final int DESCRIPTOR_ID_ID = 0x14;
    /** Descriptor field: numpy header. */
    public static final int DESCRIPTOR_DTYPE_ID = 0x15;
    /** Descriptor field id 0x16, reserved by the SPEAD specification. */
    public static final int DESCRIPTOR_RESERVED_ID = 0x16;

    /** Stream control value: start of stream. */
    public static final int CTRL_STREAM_START = 0;
    /** Stream control value: descriptors reissued. */
    public static final int CTRL_DESCRIPTOR_REISSUE = 1;
    /** Stream control value: end of stream. */
    public static final int CTRL_STREAM_STOP = 2;
    /** Stream control value: descriptors updated. */
    public static final int CTRL_DESCRIPTOR_UPDATE = 3;

    /** The magic byte of every SPEAD packet. */
    public static final int MAGIC = 0x53;
    /** The lowest id Python's {@code ItemGroup.add_item} assigns automatically. */
    public static final int FIRST_USER_ID = 0x1000;

    private Spead() {
    }
}
