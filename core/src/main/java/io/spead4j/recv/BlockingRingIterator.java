package io.spead4j.recv;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Iterates over what a blocking ring hands out: {@code hasNext()} blocks in the ring's get until an element
 * arrives, and the iteration ends when the get throws {@link StoppedException} (ring stopped and drained).
 * An interrupt while waiting sets the thread's interrupt status again and throws
 * {@link IllegalStateException}. Shared by {@link ChunkRingbuffer} and {@link Stream}.
 *
 * @param <T> what the ring holds
 */
final class BlockingRingIterator<T> implements Iterator<T> {

    /** A blocking get from a ring. */
    @FunctionalInterface
    interface BlockingGet<T> {
        /**
         * Waits for the next element.
         *
         * @return the element
         * @throws StoppedException once the ring is stopped and empty
         * @throws InterruptedException if interrupted while waiting
         */
        T get() throws InterruptedException;
    }

    private final BlockingGet<? extends T> source;
    private final String waitingFor;
    private T next;
    private boolean done;

    /**
     * @param source     the ring's blocking get
     * @param waitingFor what is being waited for, for the interrupt message (e.g. "a chunk")
     */
    BlockingRingIterator(BlockingGet<? extends T> source, String waitingFor) {
        this.source = source;
        this.waitingFor = waitingFor;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        try {
            next = source.get();
            return true;
        } catch (StoppedException e) {
            done = true;
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + waitingFor, e);
        }
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T out = next;
        next = null;
        return out;
    }
}
