package io.spead4j.recv;

import java.util.Arrays;
import java.util.List;

/**
 * A snapshot of a receive stream's statistics, spead2's {@code StreamStats}: the core statistics in spead2's
 * order (heaps, incomplete_heaps_evicted, incomplete_heaps_flushed, packets, batches, max_batch,
 * single_packet_heaps, search_dist, worker_blocked), then custom ones. Immutable.
 */
public final class StreamStats {
    private final List<StreamStatConfig> config;
    private final long[] values;

    /**
     * Creates a snapshot.
     *
     * @param config the statistics' names and modes (at least the core ones)
     * @param values one value per statistic (copied)
     * @throws IllegalArgumentException if the sizes differ
     */
    public StreamStats(List<StreamStatConfig> config, long[] values) {
        if (config.size() != values.length) {
            throw new IllegalArgumentException("need " + config.size() + " values, got " + values.length);
        }
        this.config = List.copyOf(config);
        this.values = values.clone();
    }

    /** @return the statistics' configurations */
    public List<StreamStatConfig> config() {
        return config;
    }

    /** @return the number of statistics */
    public int size() {
        return values.length;
    }

    /** @return a statistic by index @param index its index */
    public long get(int index) {
        return values[index];
    }

    /**
     * Gets a statistic by name.
     *
     * @param name the name
     * @return the value
     * @throws IllegalArgumentException if there is no such statistic
     */
    public long get(String name) {
        for (int i = 0; i < config.size(); i++) {
            if (config.get(i).name().equals(name)) {
                return values[i];
            }
        }
        throw new IllegalArgumentException(name + " is not a known statistic name");
    }

    /** @return true if a statistic of that name exists @param name the name */
    public boolean contains(String name) {
        return config.stream().anyMatch(c -> c.name().equals(name));
    }

    /**
     * Combines two snapshots statistic by statistic (sum, or maximum for MAXIMUM statistics).
     *
     * @param other a snapshot with the same statistics
     * @return the combination
     * @throws IllegalArgumentException if the statistics differ
     */
    public StreamStats plus(StreamStats other) {
        if (!config.equals(other.config)) {
            throw new IllegalArgumentException("statistics must match to add them together");
        }
        long[] out = new long[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = config.get(i).mode().combine(values[i], other.values[i]);
        }
        return new StreamStats(config, out);
    }

    /** @return complete heaps plus evicted and flushed heaps */
    public long heaps() {
        return values[StreamConfig.STAT_HEAPS];
    }

    /** @return live heaps evicted from their slot */
    public long incompleteHeapsEvicted() {
        return values[StreamConfig.STAT_INCOMPLETE_HEAPS_EVICTED];
    }

    /** @return live heaps delivered by a flush */
    public long incompleteHeapsFlushed() {
        return values[StreamConfig.STAT_INCOMPLETE_HEAPS_FLUSHED];
    }

    /** @return packets that decoded and were offered to the stream */
    public long packets() {
        return values[StreamConfig.STAT_PACKETS];
    }

    /** @return reader batches */
    public long batches() {
        return values[StreamConfig.STAT_BATCHES];
    }

    /** @return largest number of packets in a batch */
    public long maxBatch() {
        return values[StreamConfig.STAT_MAX_BATCH];
    }

    /** @return packets that were a whole heap */
    public long singlePacketHeaps() {
        return values[StreamConfig.STAT_SINGLE_PACKET_HEAPS];
    }

    /** @return the live-heap search effort */
    public long searchDist() {
        return values[StreamConfig.STAT_SEARCH_DIST];
    }

    /** @return times the worker found the ring full */
    public long workerBlocked() {
        return values[StreamConfig.STAT_WORKER_BLOCKED];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamStats s && s.config.equals(config) && Arrays.equals(s.values, values);
    }

    @Override
    public int hashCode() {
        return config.hashCode() * 31 + Arrays.hashCode(values);
    }

    /** @return one {@code name: value} line per statistic */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(config.get(i).name()).append(": ").append(values[i]).append('\n');
        }
        return sb.toString();
    }
}
