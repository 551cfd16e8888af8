package io.spead4j.recv;

/**
 * Settings of the ring between a ring {@link Stream}'s worker and its consumer, spead2's
 * {@code RingStreamConfig}. Immutable.
 */
public final class RingStreamConfig {
    /** spead2's default number of ring slots. */
    public static final int DEFAULT_HEAPS = 4;
    /** The default configuration: 4 heaps, contiguous heaps only, no payload ranges. */
    public static final RingStreamConfig DEFAULT = new RingStreamConfig(DEFAULT_HEAPS, true, false);

    private final int heaps;
    private final boolean contiguousOnly;
    private final boolean incompleteKeepPayloadRanges;

    /**
     * Creates a ring configuration.
     *
     * @param heaps ring capacity in heaps, at least 1
     * @param contiguousOnly if true, heaps that are not contiguous are dropped instead of delivered as
     *     {@link IncompleteHeap}
     * @param incompleteKeepPayloadRanges if true, delivered {@link IncompleteHeap}s carry their payload ranges
     * @throws IllegalArgumentException if {@code heaps < 1}
     */
    public RingStreamConfig(int heaps, boolean contiguousOnly, boolean incompleteKeepPayloadRanges) {
        if (heaps < 1) {
            throw new IllegalArgumentException("ring heaps must be at least 1, got " + heaps);
        }
        this.heaps = heaps;
        this.contiguousOnly = contiguousOnly;
        this.incompleteKeepPayloadRanges = incompleteKeepPayloadRanges;
    }

    /** Creates the default configuration. */
    public RingStreamConfig() {
        this(DEFAULT_HEAPS, true, false);
    }

    /** {@return the ring capacity in heaps} */
    public int heaps() {
        return heaps;
    }

    /** {@return true if only contiguous heaps are delivered} */
    public boolean contiguousOnly() {
        return contiguousOnly;
    }

    /** {@return true if incomplete heaps keep their payload ranges} */
    public boolean incompleteKeepPayloadRanges() {
        return incompleteKeepPayloadRanges;
    }

    /**
     * Returns a copy with another ring capacity, {@link #heaps()}.
     *
     * @param value ring capacity in heaps, at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if the value is below 1
     */
    public RingStreamConfig withHeaps(int value) {
        return new RingStreamConfig(value, contiguousOnly, incompleteKeepPayloadRanges);
    }

    /**
     * Returns a copy with another {@link #contiguousOnly()} setting.
     *
     * @param value true to drop heaps that are not contiguous instead of delivering them as {@link IncompleteHeap}
     * @return the new configuration
     */
    public RingStreamConfig withContiguousOnly(boolean value) {
        return new RingStreamConfig(heaps, value, incompleteKeepPayloadRanges);
    }

    /**
     * Returns a copy with another {@link #incompleteKeepPayloadRanges()} setting.
     *
     * @param value true if delivered {@link IncompleteHeap}s carry their payload ranges
     * @return the new configuration
     */
    public RingStreamConfig withIncompleteKeepPayloadRanges(boolean value) {
        return new RingStreamConfig(heaps, contiguousOnly, value);
    }

    @Override
    public String toString() {
        return "RingStreamConfig(heaps=" + heaps + ", contiguousOnly=" + contiguousOnly
                + ", incompleteKeepPayloadRanges=" + incompleteKeepPayloadRanges + ")";
    }
}
