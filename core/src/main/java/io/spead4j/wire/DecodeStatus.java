package io.spead4j.wire;

/**
 * Outcome of decoding one packet with {@link PacketDecoder}: {@link #OK} or the reason spead2 would reject
 * it, in the order spead2 checks.
 */
public enum DecodeStatus {
    /** The packet decoded. */
    OK("ok"),
    /** Fewer than 8 bytes. */
    TOO_SHORT("packet is shorter than the 8-byte header"),
    /** Magic or version is not 0x53 0x04. */
    BAD_MAGIC("magic or version did not match"),
    /** Item id and heap address widths are zero or do not add up to 64 bits. */
    BAD_FLAVOUR("unsupported flavour (item pointer widths)"),
    /** The item pointers run past the end of the data. */
    POINTERS_OVERFLOW("item pointers overflow the packet"),
    /** HEAP_CNT, PAYLOAD_OFFSET or PAYLOAD_LENGTH is missing. */
    MISSING_ITEMS("packet does not have required items"),
    /** The payload runs past the end of the data. */
    PAYLOAD_OVERFLOW("payload overflows the packet"),
    /** PAYLOAD_OFFSET + PAYLOAD_LENGTH exceeds HEAP_LENGTH. */
    PAYLOAD_BEYOND_HEAP("payload extends beyond the heap length");

    private final String message;

    DecodeStatus(String message) {
        this.message = message;
    }

    /** {@return a short human-readable reason} */
    public String message() {
        return message;
    }
}
