package io.spead4j.recv;

import java.util.Objects;

/**
 * The name and combining mode of one receive-stream statistic, spead2's {@code StreamStatConfig}.
 *
 * @param name the statistic's name
 * @param mode how values of two batches (or two streams) are combined
 */
public record StreamStatConfig(String name, Mode mode) {
    /** How a statistic combines. */
    public enum Mode {
        /** Values add up. */
        COUNTER,
        /** The larger value wins. */
        MAXIMUM;

        /**
         * Combines two values of a statistic.
         *
         * @param a one value
         * @param b the other value
         * @return their sum ({@link #COUNTER}) or maximum ({@link #MAXIMUM})
         */
        public long combine(long a, long b) {
            return this == MAXIMUM ? Math.max(a, b) : a + b;
        }
    }

    /** Checks the arguments. */
    public StreamStatConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("statistic name must not be empty");
        }
    }

    /**
     * Creates a {@link Mode#COUNTER} statistic.
     *
     * @param name the statistic's name, not empty
     * @throws IllegalArgumentException if the name is empty
     */
    public StreamStatConfig(String name) {
        this(name, Mode.COUNTER);
    }
}
