package io.spead4j.recv;

import java.util.ArrayList;
import java.util.List;

/**
 * The disjoint, merged {@code [start, end)} payload ranges a live heap received in out-of-order mode, with
 * spead2's acceptance rules (SPEAD2-BEHAVIOUR.md §2.4). Sorted parallel arrays; allocates only to grow.
 */
final class PayloadRanges {
    private long[] starts = new long[4];
    private long[] ends = new long[4];
    private int size;

    /**
     * Offers a packet range.
     *
     * @param first first byte
     * @param last one past the last byte
     * @return true if the range was new and is now recorded; false for a partial overlap or a duplicate
     */
    boolean add(long first, long last) {
        int next = upperBound(first); // first index with start > first
        if (next < size && starts[next] < last) {
            return false; // partial overlap with a later range
        }
        int ptr;
        int prev = next - 1;
        if (prev < 0 || ends[prev] < first) {
            insert(next, first, last);
            ptr = next;
            next++;
        } else if (ends[prev] == first) {
            ends[prev] = last;
            ptr = prev;
        } else {
            return false; // duplicate
        }
        if (next < size && starts[next] == last) {
            ends[ptr] = ends[next];
            remove(next);
        }
        return true;
    }

    private int upperBound(long key) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void insert(int index, long start, long end) {
        if (size == starts.length) {
            starts = java.util.Arrays.copyOf(starts, size * 2);
            ends = java.util.Arrays.copyOf(ends, size * 2);
        }
        System.arraycopy(starts, index, starts, index + 1, size - index);
        System.arraycopy(ends, index, ends, index + 1, size - index);
        starts[index] = start;
        ends[index] = end;
        size++;
    }

    private void remove(int index) {
        System.arraycopy(starts, index + 1, starts, index, size - index - 1);
        System.arraycopy(ends, index + 1, ends, index, size - index - 1);
        size--;
    }

    /** Forgets every range (the arrays are kept). */
    void clear() {
        size = 0;
    }

    /** {@return number of ranges} */
    int size() {
        return size;
    }

    /** {@return the ranges in order} */
    List<PayloadRange> toList() {
        List<PayloadRange> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new PayloadRange(starts[i], ends[i]));
        }
        return List.copyOf(out);
    }
}
