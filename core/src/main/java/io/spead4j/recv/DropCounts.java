package io.spead4j.recv;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a receive stream's drop reasons ({@link StreamBase#getDrops()}): how many packets or heaps
 * it discarded, for each {@link DropReason}. Immutable.
 */
public final class DropCounts {
    private static final DropReason[] REASONS = DropReason.values();
    private final long[] counts;

    /**
     * Creates a snapshot.
     *
     * @param counts one count per reason, in {@link DropReason} order (copied)
     * @throws IllegalArgumentException if there is not one count per reason
     */
    public DropCounts(long[] counts) {
        if (counts.length != REASONS.length) {
            throw new IllegalArgumentException("need " + REASONS.length + " counts, got " + counts.length);
        }
        this.counts = counts.clone();
    }

    /**
     * {@return the count of one reason}
     *
     * @param reason the drop reason
     */
    public long get(DropReason reason) {
        return counts[reason.ordinal()];
    }

    /** {@return the sum over every reason but {@link DropReason#RING_FULL} (which loses nothing)} */
    public long total() {
        long sum = 0;
        for (DropReason r : REASONS) {
            if (r != DropReason.RING_FULL) {
                sum += counts[r.ordinal()];
            }
        }
        return sum;
    }

    /** {@return every reason with its count, in {@link DropReason} order (read-only)} */
    public Map<DropReason, Long> asMap() {
        EnumMap<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) {
            out.put(r, counts[r.ordinal()]);
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@return the reasons with a non-zero count by {@link DropReason#statName()}, in order (read-only)} */
    public Map<String, Long> nonZero() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (DropReason r : REASONS) {
            if (counts[r.ordinal()] != 0) {
                out.put(r.statName(), counts[r.ordinal()]);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DropCounts d && java.util.Arrays.equals(d.counts, counts);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(counts);
    }

    /** {@return {@code name: count} of the non-zero reasons, comma separated} */
    @Override
    public String toString() {
        return nonZero().toString();
    }
}
