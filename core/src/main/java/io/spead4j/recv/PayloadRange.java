package io.spead4j.recv;

/**
 * A range {@code [start, end)} of heap payload bytes that was received.
 *
 * @param start first byte offset
 * @param end one past the last byte offset
 */
public record PayloadRange(long start, long end) {
    /** Checks the bounds. */
    public PayloadRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("invalid payload range [" + start + ", " + end + ")");
        }
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}
