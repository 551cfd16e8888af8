package io.spead4j.recv;

/**
 * The chunks being filled, spead2's {@code chunk_window}: chunk ids in {@code [head, tail)}, at most
 * {@code maxChunks} of them, in a circular array. Ids are compared as unsigned 64-bit numbers (a flushed
 * window moves to 2^64 - 1, and ids reach 2^63 - 1). A slot may be empty (a hole) when no chunk could be
 * obtained for its id. Not thread-safe: its owner's lock guards it.
 */
final class ChunkWindow {
    /** What a window does with chunks entering and leaving it. */
    interface Owner {
        /**
         * Obtains a chunk for a new id at the tail.
         *
         * @param chunkId the id
         * @return the chunk, or null to leave a hole (heaps for it are dropped)
         */
        Chunk allocateChunk(long chunkId);

        /** Hands over a chunk leaving at the head. @param chunk the chunk */
        void readyChunk(Chunk chunk);

        /** Told that the head moved forward. @param head the new head */
        void headUpdated(long head);
    }

    /** The unsigned maximum: the head after a final flush. */
    static final long END = -1L;

    private final Chunk[] chunks;
    private long head;
    private long tail;
    private int headPos;
    private int tailPos;

    ChunkWindow(int maxChunks) {
        this.chunks = new Chunk[maxChunks];
    }

    long head() {
        return head;
    }

    long tail() {
        return tail;
    }

    boolean isEmpty() {
        return head == tail;
    }

    int maxChunks() {
        return chunks.length;
    }

    /** {@return true if {@code chunkId} (a signed id) is negative or below the head} */
    boolean isTooOld(long chunkId) {
        return chunkId < 0 || Long.compareUnsigned(chunkId, head) < 0;
    }

    private void flushHead(Owner owner) {
        Chunk c = chunks[headPos];
        if (c != null) {
            chunks[headPos] = null;
            owner.readyChunk(c);
        }
        head++;
        headPos++;
        if (headPos == chunks.length) {
            headPos = 0;
        }
    }

    /** Readies every chunk (oldest first) and moves the empty window to {@code next}. */
    void flushAll(long next, Owner owner) {
        long original = head;
        while (head != tail) {
            flushHead(owner);
        }
        head = next;
        tail = next;
        if (head != original) {
            owner.headUpdated(head);
        }
    }

    /** Readies chunks below {@code target} (oldest first) and moves the head to at least {@code target}. */
    void flushUntil(long target, Owner owner) {
        if (Long.compareUnsigned(head, target) < 0) {
            while (head != tail && Long.compareUnsigned(head, target) < 0) {
                flushHead(owner);
            }
            if (Long.compareUnsigned(head, target) < 0) {
                head = target;
                tail = target;
            }
            owner.headUpdated(target);
        }
    }

    /** {@return the chunk of {@code chunkId} if it is in the window (else null; also null for a hole)} */
    Chunk get(long chunkId) {
        if (Long.compareUnsigned(chunkId, head) >= 0 && Long.compareUnsigned(chunkId, tail) < 0) {
            return chunks[position(chunkId)];
        }
        return null;
    }

    private int position(long chunkId) {
        long pos = (chunkId - head) + headPos;
        if (pos >= chunks.length) {
            pos -= chunks.length;
        }
        return (int) pos;
    }

    /**
     * Finds or obtains the chunk of {@code chunkId} (0 to 2^63 - 1, not below the head): a jump of a whole
     * window or more readies every chunk first; then chunks are obtained for every id up to
     * {@code chunkId}, readying the oldest whenever the window is full.
     *
     * @return the chunk, or null if none could be obtained for it (a hole)
     */
    Chunk getOrAllocate(long chunkId, long streamId, Owner owner) {
        int max = chunks.length;
        if (Long.compareUnsigned(chunkId, tail) >= 0 && Long.compareUnsigned(chunkId - tail, max) >= 0) {
            flushAll(chunkId - (max - 1), owner);
        }
        while (Long.compareUnsigned(chunkId, tail) >= 0) {
            if (tail - head == max) {
                flushHead(owner);
                owner.headUpdated(head);
            }
            Chunk c = owner.allocateChunk(tail);
            if (c != null) {
                c.assign(tail, streamId);
            }
            chunks[tailPos] = c;
            tail++;
            tailPos++;
            if (tailPos == max) {
                tailPos = 0;
            }
        }
        return chunks[position(chunkId)];
    }
}
