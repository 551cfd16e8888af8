package io.spead4j.recv;

/**
 * Why a receive stream discarded (or held back) a packet or a heap: spead4j's drop reasons, counted apart from
 * spead2's statistics (so those stay what spead2 reports) and read with {@link StreamBase#getDrops()}. Each
 * discarded packet or heap is counted under exactly one reason; packet reasons count packets, heap reasons
 * count heaps, {@link #RING_FULL} counts times a reader was blocked and {@link #KERNEL} counts datagrams the
 * kernel dropped before the stream saw them.
 */
public enum DropReason {
    /** A packet whose header did not decode: too short, bad magic or version, bad flavour, pointers overflow. */
    BAD_HEADER("bad_header"),
    /** A packet without HEAP_CNT, PAYLOAD_OFFSET or PAYLOAD_LENGTH (or HEAP_LENGTH when unsized heaps are off). */
    MISSING_ITEMS("missing_items"),
    /** A packet whose payload overflows the packet or the heap's length. */
    PAYLOAD_OVERFLOW("payload_overflow"),
    /** A datagram whose length is not its packet's: truncated (larger than the reader's maximum) or longer. */
    LENGTH_MISMATCH("length_mismatch"),
    /** A packet whose payload the heap already holds (a resent or repeated packet). */
    DUPLICATE("duplicate"),
    /** A packet beyond a gap in its heap when out-of-order packets are not allowed. */
    OUT_OF_ORDER("out_of_order"),
    /** A packet that disagrees with its heap (heap length or heap address width). */
    INCONSISTENT("inconsistent"),
    /** A heap of a chunk that left the chunk window (chunk streams: {@code too_old_heaps}). */
    TOO_OLD("too_old"),
    /** A heap the chunk place function rejected or placed outside its chunk ({@code rejected_heaps}). */
    PLACE_REJECTED("place_rejected"),
    /** A packet whose heap would exceed the stream's maximum heap size (or whose memory was exhausted). */
    OVERSIZED_HEAP("oversized_heap"),
    /** An incomplete heap evicted from its slot by a newer heap ({@code incomplete_heaps_evicted}). */
    EVICTED_INCOMPLETE("evicted_incomplete"),
    /** An incomplete heap flushed when the stream stopped or was flushed ({@code incomplete_heaps_flushed}). */
    FLUSHED_INCOMPLETE("flushed_incomplete"),
    /** A ring stream's reader blocked because the ring was full ({@code worker_blocked}): nothing is lost. */
    RING_FULL("ring_full"),
    /** A heap dropped because the consumer stopped the stream (heaps flushed after a user stop). */
    STOPPED("stopped"),
    /** Datagrams the kernel dropped because the socket's receive buffer was full ({@code SO_RXQ_OVFL}). */
    KERNEL("kernel");

    private final String statName;

    /** @return the reason of a packet that did not decode @param status its decoder status (not OK) */
    static DropReason of(io.spead4j.wire.DecodeStatus status) {
        return switch (status) {
            case MISSING_ITEMS -> MISSING_ITEMS;
            case PAYLOAD_OVERFLOW, PAYLOAD_BEYOND_HEAP -> PAYLOAD_OVERFLOW;
            default -> BAD_HEADER;
        };
    }

    DropReason(String statName) {
        this.statName = statName;
    }

    /** {@return the reason's name in snake case, as printed and exported (e.g. {@code bad_header})} */
    public String statName() {
        return statName;
    }
}
