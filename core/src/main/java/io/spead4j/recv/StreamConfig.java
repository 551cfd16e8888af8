package io.spead4j.recv;

import io.spead4j.BugCompat;
import io.spead4j.MemoryAllocator;

import io.spead4j.wire.PacketDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of a receive stream, spead2's {@code recv::StreamConfig}, with spead2's defaults. Immutable:
 * every {@code withX} method returns a validated copy.
 *
 * <p>Besides spead2's settings it has spead4j's safety cap {@link #maxHeapSize()} (default
 * {@value #DEFAULT_MAX_HEAP_SIZE} bytes = 128 MiB). <strong>This is an intentional difference from
 * spead2</strong>, which allocates whatever heap length the first packet claims: a packet whose HEAP_LENGTH
 * exceeds the cap, or a packet that would grow an unsized heap past it, is rejected before anything is
 * allocated and counted in {@link StreamBase#oversizedPackets()} (not among spead2's statistics).
 */
public final class StreamConfig {
    /** Default number of live heaps per substream. */
    public static final int DEFAULT_MAX_HEAPS = 4;
    /** Default heap size cap: 128 MiB. */
    public static final long DEFAULT_MAX_HEAP_SIZE = 128L * 1024 * 1024;
    /** Index of the {@code heaps} statistic. */
    public static final int STAT_HEAPS = 0;
    /** Index of the {@code incomplete_heaps_evicted} statistic. */
    public static final int STAT_INCOMPLETE_HEAPS_EVICTED = 1;
    /** Index of the {@code incomplete_heaps_flushed} statistic. */
    public static final int STAT_INCOMPLETE_HEAPS_FLUSHED = 2;
    /** Index of the {@code packets} statistic. */
    public static final int STAT_PACKETS = 3;
    /** Index of the {@code batches} statistic. */
    public static final int STAT_BATCHES = 4;
    /** Index of the {@code max_batch} statistic. */
    public static final int STAT_MAX_BATCH = 5;
    /** Index of the {@code single_packet_heaps} statistic. */
    public static final int STAT_SINGLE_PACKET_HEAPS = 6;
    /** Index of the {@code search_dist} statistic. */
    public static final int STAT_SEARCH_DIST = 7;
    /** Index of the {@code worker_blocked} statistic. */
    public static final int STAT_WORKER_BLOCKED = 8;
    /** Index of the first custom statistic. */
    public static final int STAT_CUSTOM = 9;

    /** spead2's core statistics, in spead2's order. */
    public static final List<StreamStatConfig> CORE_STATS = List.of(
            new StreamStatConfig("heaps"),
            new StreamStatConfig("incomplete_heaps_evicted"),
            new StreamStatConfig("incomplete_heaps_flushed"),
            new StreamStatConfig("packets"),
            new StreamStatConfig("batches"),
            new StreamStatConfig("max_batch", StreamStatConfig.Mode.MAXIMUM),
            new StreamStatConfig("single_packet_heaps"),
            new StreamStatConfig("search_dist"),
            new StreamStatConfig("worker_blocked"));

    /** The default configuration. */
    public static final StreamConfig DEFAULT = new StreamConfig();

    private final int maxHeaps;
    private final int substreams;
    private final int bugCompat;
    private final MemcpyFunction memcpy;
    private final MemoryAllocator memoryAllocator;
    private final boolean stopOnStopItem;
    private final boolean allowUnsizedHeaps;
    private final boolean allowOutOfOrder;
    private final long streamId;
    private final boolean explicitStart;
    private final long maxHeapSize;
    private final List<StreamStatConfig> stats;
    /** The {@link PacketDecoder} leniency bits, and {@link #HEAPS_PER_SOURCE}. */
    private final int leniency;

    /** Leniency bit of the packet step (above the decoder's bits): live heaps are keyed by source and cnt. */
    static final int HEAPS_PER_SOURCE = 1 << 16;

    /** Creates the default configuration (spead2's defaults, 128 MiB heap cap). */
    public StreamConfig() {
        this(DEFAULT_MAX_HEAPS, 1, 0, MemcpyFunction.STD, MemoryAllocator.plain(), true, true, false, 0, false,
                DEFAULT_MAX_HEAP_SIZE, CORE_STATS, 0);
    }

    private StreamConfig(int maxHeaps, int substreams, int bugCompat, MemcpyFunction memcpy,
                         MemoryAllocator memoryAllocator, boolean stopOnStopItem, boolean allowUnsizedHeaps,
                         boolean allowOutOfOrder, long streamId, boolean explicitStart, long maxHeapSize,
                         List<StreamStatConfig> stats, int leniency) {
        if (maxHeaps < 1) {
            throw new IllegalArgumentException("maxHeaps cannot be 0 (got " + maxHeaps + ")");
        }
        if (substreams < 1) {
            throw new IllegalArgumentException("substreams cannot be 0 (got " + substreams + ")");
        }
        if ((long) maxHeaps * substreams > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException("maxHeaps * substreams is too large: " + maxHeaps + " * " + substreams);
        }
        if (maxHeapSize < 0) {
            throw new IllegalArgumentException("maxHeapSize must be non-negative, got " + maxHeapSize);
        }
        this.maxHeaps = maxHeaps;
        this.substreams = substreams;
        this.bugCompat = BugCompat.validate(bugCompat);
        this.memcpy = Objects.requireNonNull(memcpy, "memcpy");
        this.memoryAllocator = Objects.requireNonNull(memoryAllocator, "memoryAllocator");
        this.stopOnStopItem = stopOnStopItem;
        this.allowUnsizedHeaps = allowUnsizedHeaps;
        this.allowOutOfOrder = allowOutOfOrder;
        this.streamId = streamId;
        this.explicitStart = explicitStart;
        this.maxHeapSize = maxHeapSize;
        this.stats = stats;
        this.leniency = leniency;
    }

    /** {@return maximum number of live heaps per substream} */
    public int maxHeaps() {
        return maxHeaps;
    }

    /** {@return number of substreams (heap cnt modulo this picks the substream)} */
    public int substreams() {
        return substreams;
    }

    /** {@return the bug-compatibility mask applied to every received heap} */
    public int bugCompat() {
        return bugCompat;
    }

    /** {@return the payload copy function} */
    public MemcpyFunction memcpy() {
        return memcpy;
    }

    /** {@return the allocator of heap payload memory} */
    public MemoryAllocator memoryAllocator() {
        return memoryAllocator;
    }

    /** {@return true if a heap carrying a STOP stream-control item stops the stream} */
    public boolean stopOnStopItem() {
        return stopOnStopItem;
    }

    /** {@return true if packets without HEAP_LENGTH are accepted} */
    public boolean allowUnsizedHeaps() {
        return allowUnsizedHeaps;
    }

    /** {@return true if the packets of a heap may arrive in any order} */
    public boolean allowOutOfOrder() {
        return allowOutOfOrder;
    }

    /** {@return the user's stream tag (copied into chunks by chunk streams)} */
    public long streamId() {
        return streamId;
    }

    /** {@return true if readers only start on {@link StreamBase#start()}} */
    public boolean explicitStart() {
        return explicitStart;
    }

    /**
     * The heap size cap, spead4j's intentional difference from spead2 (which has none).
     *
     * @return the largest heap, in bytes, the stream allocates memory for
     */
    public long maxHeapSize() {
        return maxHeapSize;
    }

    /** {@return the statistics: the core ones in spead2's order, then custom ones} */
    public List<StreamStatConfig> stats() {
        return stats;
    }

    /**
     * Returns a copy with another {@link #maxHeaps()}: the number of live heaps per substream.
     *
     * @param value the number of live heaps per substream, at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if the value is below 1 or {@code value × substreams} is too large
     */
    public StreamConfig withMaxHeaps(int value) {
        return new StreamConfig(value, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another number of {@link #substreams()}.
     *
     * @param value the number of substreams, at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if the value is below 1 or {@code maxHeaps × value} is too large
     */
    public StreamConfig withSubstreams(int value) {
        return new StreamConfig(maxHeaps, value, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #bugCompat()} mask.
     *
     * @param value the mask: {@link BugCompat} bits, within 0x7
     * @return the new configuration
     * @throws IllegalArgumentException if the mask has other bits
     */
    public StreamConfig withBugCompat(int value) {
        return new StreamConfig(maxHeaps, substreams, value, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #memcpy()} payload copy function.
     *
     * @param value the function, not null
     * @return the new configuration
     */
    public StreamConfig withMemcpy(MemcpyFunction value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, value, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #memoryAllocator()} for heap payloads.
     *
     * @param value the allocator, not null
     * @return the new configuration
     */
    public StreamConfig withMemoryAllocator(MemoryAllocator value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, value, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #stopOnStopItem()} setting.
     *
     * @param value true if a heap carrying a STOP item stops the stream
     * @return the new configuration
     */
    public StreamConfig withStopOnStopItem(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, value,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #allowUnsizedHeaps()} setting.
     *
     * @param value true to accept packets without HEAP_LENGTH
     * @return the new configuration
     */
    public StreamConfig withAllowUnsizedHeaps(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                value, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #allowOutOfOrder()} setting.
     *
     * @param value true if the packets of a heap may arrive in any order
     * @return the new configuration
     */
    public StreamConfig withAllowOutOfOrder(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, value, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #streamId()}.
     *
     * @param value the user's stream tag
     * @return the new configuration
     */
    public StreamConfig withStreamId(long value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, value, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another {@link #explicitStart()} setting.
     *
     * @param value true if readers only start on {@link StreamBase#start()}
     * @return the new configuration
     */
    public StreamConfig withExplicitStart(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, value, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with another heap size cap, {@link #maxHeapSize()} (spead4j only).
     *
     * @param value the largest heap in bytes, at least 0
     * @return the new configuration
     * @throws IllegalArgumentException if the value is negative
     */
    public StreamConfig withMaxHeapSize(long value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, value, stats, leniency);
    }

    // ------------------------------------------------------------------------------- hardware that bends SPEAD

    /**
     * Whether a packet without a PAYLOAD_OFFSET item (0x3) is taken to have offset 0. Off by default (spead2
     * drops such packets: "does not have required items"). Needed for SKA-Low's tile processing modules
     * (TPM firmware, integrated channel and beam data) and station beamformers (SPS v1/v2/v3 station beams),
     * which send no payload offset.
     *
     * @return the setting
     */
    public boolean missingPayloadOffsetIsZero() {
        return (leniency & PacketDecoder.MISSING_PAYLOAD_OFFSET_IS_ZERO) != 0;
    }

    /**
     * Returns a copy with another {@link #missingPayloadOffsetIsZero()} setting.
     *
     * @param value the setting
     * @return the new configuration
     */
    public StreamConfig withMissingPayloadOffsetIsZero(boolean value) {
        return withLeniencyBit(PacketDecoder.MISSING_PAYLOAD_OFFSET_IS_ZERO, value);
    }

    /**
     * Whether a packet without a HEAP_LENGTH item (0x2) and with payload offset 0 is a whole heap (its heap
     * length is its payload length, so it completes at once). Off by default (spead2 then treats the heap as
     * unsized and completes it only when evicted or flushed). Needed for SKA-Low's tile processing modules
     * (TPMs) and station beamformers (SPS), which send every heap as one packet without a heap size.
     *
     * @return the setting
     */
    public boolean missingHeapLengthIsPacket() {
        return (leniency & PacketDecoder.MISSING_HEAP_LENGTH_IS_PACKET) != 0;
    }

    /**
     * Returns a copy with another {@link #missingHeapLengthIsPacket()} setting.
     *
     * @param value the setting
     * @return the new configuration
     */
    public StreamConfig withMissingHeapLengthIsPacket(boolean value) {
        return withLeniencyBit(PacketDecoder.MISSING_HEAP_LENGTH_IS_PACKET, value);
    }

    /**
     * Whether a datagram whose PAYLOAD_LENGTH item (0x4) is 0, or missing, while bytes follow its item
     * pointers takes those bytes as its payload. Off by default (spead2 then reads a 0-byte payload and drops
     * the datagram because its size does not match). Applies to datagram readers (UDP, pcap, inproc), whose
     * packet end is known, not to byte streams (TCP, buffers). Needed for SKA-Low's station beamformer
     * format SPS v1 ("LFAA"), whose payload length item is 0 although 8 KiB of samples follow.
     *
     * @return the setting
     */
    public boolean payloadLengthFromDatagram() {
        return (leniency & PacketDecoder.PAYLOAD_LENGTH_FROM_DATAGRAM) != 0;
    }

    /**
     * Returns a copy with another {@link #payloadLengthFromDatagram()} setting.
     *
     * @param value the setting
     * @return the new configuration
     */
    public StreamConfig withPayloadLengthFromDatagram(boolean value) {
        return withLeniencyBit(PacketDecoder.PAYLOAD_LENGTH_FROM_DATAGRAM, value);
    }

    /**
     * Whether live heaps are keyed by (source address, heap cnt) rather than by heap cnt alone, so that equal
     * cnts from different senders never merge into one heap. Applies to readers that know each packet's
     * source (UDP, pcap/pcapng files); packets of other readers have an unknown source, which is one key of its
     * own. Off by default (spead2 keys by cnt only). Needed for SKA-Low, whose tile processing modules (16
     * tiles per station) and station beamformers send the same heap cnt from every sender.
     *
     * @return the setting
     */
    public boolean heapsPerSource() {
        return (leniency & HEAPS_PER_SOURCE) != 0;
    }

    /**
     * Returns a copy with another {@link #heapsPerSource()} setting.
     *
     * @param value the setting
     * @return the new configuration
     */
    public StreamConfig withHeapsPerSource(boolean value) {
        return withLeniencyBit(HEAPS_PER_SOURCE, value);
    }

    /**
     * Returns a copy with every option for hardware that bends SPEAD on or off:
     * {@link #withMissingPayloadOffsetIsZero}, {@link #withMissingHeapLengthIsPacket},
     * {@link #withPayloadLengthFromDatagram} and {@link #withHeapsPerSource}.
     *
     * @param value on or off
     * @return the new configuration
     */
    public StreamConfig withLenientHardware(boolean value) {
        return withLeniencyBit(PacketDecoder.ALL_LENIENCY | HEAPS_PER_SOURCE, value);
    }

    /**
     * {@return the decoder leniency bits ({@link PacketDecoder#decode(java.lang.foreign.MemorySegment, long, long, int)})}
     */
    int decoderLeniency() {
        return leniency & PacketDecoder.ALL_LENIENCY;
    }

    private StreamConfig withLeniencyBit(int bit, boolean value) {
        int leniency = value ? this.leniency | bit : this.leniency & ~bit;
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats, leniency);
    }

    /**
     * Returns a copy with one more custom statistic; its index is {@link #nextStatIndex()} of this config.
     *
     * @param name the statistic's name
     * @param mode how it combines
     * @return the new configuration
     * @throws IllegalArgumentException if a statistic with that name exists
     */
    public StreamConfig addStat(String name, StreamStatConfig.Mode mode) {
        StreamStatConfig stat = new StreamStatConfig(name, mode);
        if (findStat(name) >= 0) {
            throw new IllegalArgumentException("a statistic called " + name + " already exists");
        }
        List<StreamStatConfig> copy = new ArrayList<>(stats);
        copy.add(stat);
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, List.copyOf(copy), leniency);
    }

    /**
     * Returns a copy with one more custom {@link StreamStatConfig.Mode#COUNTER} statistic, as
     * {@link #addStat(String, StreamStatConfig.Mode)}.
     *
     * @param name the statistic's name
     * @return the new configuration
     * @throws IllegalArgumentException if a statistic with that name exists
     */
    public StreamConfig addStat(String name) {
        return addStat(name, StreamStatConfig.Mode.COUNTER);
    }

    /**
     * Finds a statistic.
     *
     * @param name the name
     * @return its index
     * @throws IllegalArgumentException if there is none of that name
     */
    public int getStatIndex(String name) {
        int index = findStat(name);
        if (index < 0) {
            throw new IllegalArgumentException(name + " is not a known statistic name");
        }
        return index;
    }

    /** {@return the index the next {@link #addStat} will get} */
    public int nextStatIndex() {
        return stats.size();
    }

    int findStat(String name) {
        for (int i = 0; i < stats.size(); i++) {
            if (stats.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "StreamConfig(maxHeaps=" + maxHeaps + ", substreams=" + substreams + ", bugCompat=" + bugCompat
                + ", memcpy=" + memcpy + ", memoryAllocator=" + memoryAllocator + ", stopOnStopItem=" + stopOnStopItem
                + ", allowUnsizedHeaps=" + allowUnsizedHeaps + ", allowOutOfOrder=" + allowOutOfOrder
                + ", streamId=" + streamId + ", explicitStart=" + explicitStart + ", maxHeapSize=" + maxHeapSize
                + ", stats=" + stats.size() + (leniency == 0 ? "" : ", leniency=0x" + Integer.toHexString(leniency))
                + ")";
    }
}
