package io.spead4j.recv;

import java.util.Objects;

/**
 * Settings of a chunk stream group, spead2's {@code ChunkStreamGroupConfig}: the size of the group's chunk
 * window and what happens when a member needs a chunk beyond it. Immutable.
 */
public final class ChunkStreamGroupConfig {
    /** spead2's default number of chunks in the group's window. */
    public static final int DEFAULT_MAX_CHUNKS = ChunkStreamConfig.DEFAULT_MAX_CHUNKS;

    /** What a member does when it needs a chunk past the group's window. */
    public enum EvictionMode {
        /**
         * Every member is asked to give up the chunks that are too old, and the oldest chunks are made
         * ready even if some member still had heaps to add (those heaps are lost).
         */
        LOSSY,
        /**
         * The member waits until every member has moved past the oldest chunks by itself: nothing is
         * lost, but a silent member holds up the others (until it stops or the group is stopped).
         */
        LOSSLESS
    }

    private final int maxChunks;
    private final EvictionMode evictionMode;

    /** Creates the default configuration: 2 chunks, {@link EvictionMode#LOSSY}. */
    public ChunkStreamGroupConfig() {
        this(DEFAULT_MAX_CHUNKS, EvictionMode.LOSSY);
    }

    /**
     * Creates a configuration.
     *
     * @param maxChunks chunks in the group's window, at least 1 (members' windows may not be larger)
     * @param evictionMode the eviction mode
     * @throws IllegalArgumentException if {@code maxChunks < 1}
     */
    public ChunkStreamGroupConfig(int maxChunks, EvictionMode evictionMode) {
        if (maxChunks < 1) {
            throw new IllegalArgumentException("maxChunks must be at least 1, got " + maxChunks);
        }
        this.maxChunks = maxChunks;
        this.evictionMode = Objects.requireNonNull(evictionMode, "evictionMode");
    }

    /** {@return the number of chunks in the group's window} */
    public int maxChunks() {
        return maxChunks;
    }

    /** {@return the eviction mode} */
    public EvictionMode evictionMode() {
        return evictionMode;
    }

    /**
     * Returns a copy with another window size.
     *
     * @param value at least 1
     * @return the new configuration
     * @throws IllegalArgumentException if {@code value < 1}
     */
    public ChunkStreamGroupConfig withMaxChunks(int value) {
        return new ChunkStreamGroupConfig(value, evictionMode);
    }

    /**
     * Returns a copy with another eviction mode.
     *
     * @param value the mode
     * @return the new configuration
     */
    public ChunkStreamGroupConfig withEvictionMode(EvictionMode value) {
        return new ChunkStreamGroupConfig(maxChunks, value);
    }

    @Override
    public String toString() {
        return "ChunkStreamGroupConfig(maxChunks=" + maxChunks + ", evictionMode=" + evictionMode + ")";
    }
}
