package io.spead4j.recv;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A snapshot of a receive stream's statistics, spead2's {@code StreamStats}: the core statistics in spead2's
 * order (heaps, incomplete_heaps_evicted, incomplete_heaps_flushed, packets, batches, max_batch,
 * single_packet_heaps, search_dist, worker_blocked), then custom ones. Immutable.
 *
 * <p>Monitoring code reads it by name: {@link #asMap()} is a read-only {@code Map<String, Long>} view in that
 * order, and {@link #getOrDefault(String, long)} answers for names a stream may not have.
 */
public final class StreamStats {
    private final List<StreamStatConfig> config;
    private final long[] values;
    private Map<String, Long> map;

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

    /** {@return the statistics' configurations} */
    public List<StreamStatConfig> config() {
        return config;
    }

    /** {@return the number of statistics} */
    public int size() {
        return values.length;
    }

    /**
     * {@return the value of a statistic by index}
     *
     * @param index the statistic's index, 0 .. {@link #size()} - 1 ({@link StreamConfig#STAT_HEAPS} and the like)
     */
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
        int index = indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException(name + " is not a known statistic name");
        }
        return values[index];
    }

    /**
     * Gets a statistic by name, or a default if the stream has no statistic of that name (e.g. a custom one
     * only some streams have).
     *
     * @param name the name
     * @param defaultValue the value for an unknown name
     * @return the value, or {@code defaultValue}
     */
    public long getOrDefault(String name, long defaultValue) {
        int index = indexOf(name);
        return index < 0 ? defaultValue : values[index];
    }

    private int indexOf(Object name) {
        for (int i = 0; i < config.size(); i++) {
            if (config.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A read-only map view of the statistics, name to value, iterating in spead2's order (core statistics,
     * then custom ones): {@code get}, {@code getOrDefault}, {@code keySet}, {@code entrySet} and the rest of
     * {@link Map}; {@code get} of an unknown name is null. It equals any map with the same entries.
     *
     * @return the view (the same one on every call)
     */
    public Map<String, Long> asMap() {
        Map<String, Long> m = map;
        if (m == null) {
            m = new MapView();
            map = m;
        }
        return m;
    }

    /** The map view: reads this snapshot's arrays; nothing is copied. */
    private final class MapView extends AbstractMap<String, Long> {
        private final Set<Entry<String, Long>> entries = new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Long>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Entry<String, Long> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(config.get(i).name(), values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };

        @Override
        public Set<Entry<String, Long>> entrySet() {
            return entries;
        }

        @Override
        public Long get(Object key) {
            int index = indexOf(key);
            return index < 0 ? null : values[index];
        }

        @Override
        public boolean containsKey(Object key) {
            return indexOf(key) >= 0;
        }

        @Override
        public int size() {
            return values.length;
        }
    }

    /**
     * {@return true if a statistic of that name exists}
     *
     * @param name the statistic's name
     */
    public boolean contains(String name) {
        return indexOf(name) >= 0;
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

    /** {@return complete heaps plus evicted and flushed heaps} */
    public long heaps() {
        return values[StreamConfig.STAT_HEAPS];
    }

    /** {@return live heaps evicted from their slot} */
    public long incompleteHeapsEvicted() {
        return values[StreamConfig.STAT_INCOMPLETE_HEAPS_EVICTED];
    }

    /** {@return live heaps delivered by a flush} */
    public long incompleteHeapsFlushed() {
        return values[StreamConfig.STAT_INCOMPLETE_HEAPS_FLUSHED];
    }

    /** {@return packets that decoded and were offered to the stream} */
    public long packets() {
        return values[StreamConfig.STAT_PACKETS];
    }

    /** {@return reader batches} */
    public long batches() {
        return values[StreamConfig.STAT_BATCHES];
    }

    /** {@return largest number of packets in a batch} */
    public long maxBatch() {
        return values[StreamConfig.STAT_MAX_BATCH];
    }

    /** {@return packets that were a whole heap} */
    public long singlePacketHeaps() {
        return values[StreamConfig.STAT_SINGLE_PACKET_HEAPS];
    }

    /** {@return the live-heap search effort} */
    public long searchDist() {
        return values[StreamConfig.STAT_SEARCH_DIST];
    }

    /** {@return times the worker found the ring full} */
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

    /** {@return one {@code name: value} line per statistic} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(config.get(i).name()).append(": ").append(values[i]).append('\n');
        }
        return sb.toString();
    }
}
