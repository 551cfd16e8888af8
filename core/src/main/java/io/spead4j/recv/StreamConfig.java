package io.spead4j.recv;

import io.spead4j.BugCompat;
import io.spead4j.MemoryAllocator;

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

    /** Creates the default configuration (spead2's defaults, 128 MiB heap cap). */
    public StreamConfig() {
        this(DEFAULT_MAX_HEAPS, 1, 0, MemcpyFunction.STD, MemoryAllocator.plain(), true, true, false, 0, false,
                DEFAULT_MAX_HEAP_SIZE, CORE_STATS);
    }

    private StreamConfig(int maxHeaps, int substreams, int bugCompat, MemcpyFunction memcpy,
                         MemoryAllocator memoryAllocator, boolean stopOnStopItem, boolean allowUnsizedHeaps,
                         boolean allowOutOfOrder, long streamId, boolean explicitStart, long maxHeapSize,
                         List<StreamStatConfig> stats) {
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
    }

    /** @return maximum number of live heaps per substream */
    public int maxHeaps() {
        return maxHeaps;
    }

    /** @return number of substreams (heap cnt modulo this picks the substream) */
    public int substreams() {
        return substreams;
    }

    /** @return the bug-compatibility mask applied to every received heap */
    public int bugCompat() {
        return bugCompat;
    }

    /** @return the payload copy function */
    public MemcpyFunction memcpy() {
        return memcpy;
    }

    /** @return the allocator of heap payload memory */
    public MemoryAllocator memoryAllocator() {
        return memoryAllocator;
    }

    /** @return true if a heap carrying a STOP stream-control item stops the stream */
    public boolean stopOnStopItem() {
        return stopOnStopItem;
    }

    /** @return true if packets without HEAP_LENGTH are accepted */
    public boolean allowUnsizedHeaps() {
        return allowUnsizedHeaps;
    }

    /** @return true if the packets of a heap may arrive in any order */
    public boolean allowOutOfOrder() {
        return allowOutOfOrder;
    }

    /** @return the user's stream tag (copied into chunks by chunk streams) */
    public long streamId() {
        return streamId;
    }

    /** @return true if readers only start on {@link StreamBase#start()} */
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

    /** @return the statistics: the core ones in spead2's order, then custom ones */
    public List<StreamStatConfig> stats() {
        return stats;
    }

    /** @return a copy with another number of live heaps per substream @param value at least 1 */
    public StreamConfig withMaxHeaps(int value) {
        return new StreamConfig(value, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another number of substreams @param value at least 1 */
    public StreamConfig withSubstreams(int value) {
        return new StreamConfig(maxHeaps, value, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another bug-compat mask @param value bits within 0x7 */
    public StreamConfig withBugCompat(int value) {
        return new StreamConfig(maxHeaps, substreams, value, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another copy function @param value the function */
    public StreamConfig withMemcpy(MemcpyFunction value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, value, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another allocator @param value the allocator */
    public StreamConfig withMemoryAllocator(MemoryAllocator value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, value, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another stop-on-stop-item setting @param value the setting */
    public StreamConfig withStopOnStopItem(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, value,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another unsized-heap setting @param value the setting */
    public StreamConfig withAllowUnsizedHeaps(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                value, allowOutOfOrder, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another out-of-order setting @param value the setting */
    public StreamConfig withAllowOutOfOrder(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, value, streamId, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another stream id @param value the id */
    public StreamConfig withStreamId(long value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, value, explicitStart, maxHeapSize, stats);
    }

    /** @return a copy with another explicit-start setting @param value the setting */
    public StreamConfig withExplicitStart(boolean value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, value, maxHeapSize, stats);
    }

    /** @return a copy with another heap size cap (spead4j only) @param value bytes, at least 0 */
    public StreamConfig withMaxHeapSize(long value) {
        return new StreamConfig(maxHeaps, substreams, bugCompat, memcpy, memoryAllocator, stopOnStopItem,
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, value, stats);
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
                allowUnsizedHeaps, allowOutOfOrder, streamId, explicitStart, maxHeapSize, List.copyOf(copy));
    }

    /** @return a copy with one more {@link StreamStatConfig.Mode#COUNTER} statistic @param name its name */
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

    /** @return the index the next {@link #addStat} will get */
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
                + ", stats=" + stats.size() + ")";
    }
}
