package io.spead4j.tools;

/**
 * C++'s {@code std::minstd_rand}: x ← 48271·x mod (2^31 − 1), seed 1; each call returns the new state. Used
 * by {@code send --verify} / {@code recv --verify} for the payload pattern, as spead2's tools do.
 */
final class MinstdRand {
    static final long MULTIPLIER = 48271;
    static final long MODULUS = 2147483647L;
    private long state = 1;

    /** @return the next output (1 .. 2^31 − 2) */
    int next() {
        state = state * MULTIPLIER % MODULUS;
        return (int) state;
    }

    /**
     * Skips outputs in O(log n) (the state is multiplied by 48271^n mod 2^31 − 1).
     *
     * @param n how many outputs to skip, as an unsigned 64-bit count (C++ arithmetic wraps the same way)
     */
    void discard(long n) {
        long factor = 1;
        long base = MULTIPLIER;
        while (n != 0) {
            if ((n & 1) != 0) {
                factor = factor * base % MODULUS;
            }
            base = base * base % MODULUS;
            n >>>= 1;
        }
        state = state * factor % MODULUS;
    }
}
