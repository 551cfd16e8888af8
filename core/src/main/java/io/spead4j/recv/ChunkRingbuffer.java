package io.spead4j.recv;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded, thread-safe queue of {@link Chunk}s with stop semantics, spead2's {@code ChunkRingbuffer}: the
 * data ring (full chunks from one or more chunk streams to the consumer) and the free ring (empty chunks
 * back to the streams) of {@link ChunkRingStream} and {@link ChunkStreamRingGroup}. Any number of threads
 * may put and get.
 *
 * <p>After {@link #stop()}, puts throw {@link StoppedException}, blocked puts are woken with it, and gets
 * return the chunks still queued, then throw {@link StoppedException}; iteration ends there. Producers that
 * register with {@link #addProducer()} stop the ring together: {@link #removeProducer()} stops it when the
 * last one leaves (several chunk streams sharing one data ring do this).
 */
public final class ChunkRingbuffer implements Iterable<Chunk> {
    private final int maxSize;
    private final ArrayDeque<Chunk> queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private boolean stopped;
    private int producers;

    /**
     * Creates a ring.
     *
     * @param maxSize capacity in chunks, at least 1
     * @throws IllegalArgumentException if {@code maxSize < 1}
     */
    public ChunkRingbuffer(int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("ring capacity must be at least 1, got " + maxSize);
        }
        this.maxSize = maxSize;
        this.queue = new ArrayDeque<>(maxSize);
    }

    /** @return the capacity in chunks */
    public int maxSize() {
        return maxSize;
    }

    /** @return the number of chunks queued now */
    public int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return true if no chunk is queued now */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** @return true if the ring is at capacity now */
    public boolean isFull() {
        return size() == maxSize;
    }

    /** @return true once the ring was stopped */
    public boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a chunk, waiting for room.
     *
     * @param chunk the chunk
     * @throws StoppedException if the ring is (or gets, while waiting) stopped
     * @throws InterruptedException if interrupted while waiting
     */
    public void put(Chunk chunk) throws InterruptedException {
        Objects.requireNonNull(chunk, "chunk");
        lock.lockInterruptibly();
        try {
            while (!stopped && queue.size() >= maxSize) {
                notFull.await();
            }
            enqueue(chunk);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a chunk, waiting for room without reacting to interrupts (for stream workers, which must not
     * lose a chunk to an interrupt; they are woken by {@link #stop()}).
     *
     * @param chunk the chunk
     * @throws StoppedException if the ring is (or gets, while waiting) stopped
     */
    void putUninterruptibly(Chunk chunk) {
        lock.lock();
        try {
            while (!stopped && queue.size() >= maxSize) {
                notFull.awaitUninterruptibly();
            }
            enqueue(chunk);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a chunk if there is room (spead2's {@code put_nowait}).
     *
     * @param chunk the chunk
     * @return true if queued, false if the ring is full (spead2 raises {@code Full})
     * @throws StoppedException if the ring is stopped
     */
    public boolean tryPut(Chunk chunk) {
        Objects.requireNonNull(chunk, "chunk");
        lock.lock();
        try {
            if (!stopped && queue.size() >= maxSize) {
                return false;
            }
            enqueue(chunk);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(Chunk chunk) {
        if (stopped) {
            throw new StoppedException();
        }
        queue.addLast(chunk);
        notEmpty.signal();
    }

    /**
     * Takes the oldest chunk, waiting for one.
     *
     * @return the chunk
     * @throws StoppedException once the ring is stopped and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public Chunk get() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !stopped) {
                notEmpty.await();
            }
            return dequeue();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest chunk, waiting at most the given time.
     *
     * @param timeout how long to wait
     * @param unit unit of {@code timeout}
     * @return the chunk, or null if none came in time
     * @throws StoppedException once the ring is stopped and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public Chunk get(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !stopped) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return dequeue();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a chunk for a stream worker: waits without reacting to interrupts; returns null instead of
     * throwing once the ring is stopped and empty.
     */
    Chunk getUninterruptibly() {
        lock.lock();
        try {
            while (queue.isEmpty() && !stopped) {
                notEmpty.awaitUninterruptibly();
            }
            return queue.isEmpty() ? null : take();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest chunk without waiting (spead2's {@code get_nowait}).
     *
     * @return the chunk, or null if the ring is empty (spead2 raises {@code Empty})
     * @throws StoppedException if the ring is stopped and empty
     */
    public Chunk tryGet() {
        lock.lock();
        try {
            if (queue.isEmpty() && !stopped) {
                return null;
            }
            return dequeue();
        } finally {
            lock.unlock();
        }
    }

    private Chunk dequeue() {
        if (queue.isEmpty()) {
            throw new StoppedException();
        }
        return take();
    }

    private Chunk take() {
        Chunk out = queue.pollFirst();
        notFull.signal();
        return out;
    }

    /**
     * Stops the ring: no more puts; blocked puts and, once the ring is empty, gets throw
     * {@link StoppedException}. Idempotent.
     *
     * @return true if this call stopped the ring, false if it was already stopped
     */
    public boolean stop() {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            stopped = true;
            notEmpty.signalAll();
            notFull.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Registers a producer; the ring stops when every registered producer has called {@link #removeProducer()}. */
    public void addProducer() {
        lock.lock();
        try {
            producers++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unregisters a producer; the last one to leave stops the ring.
     *
     * @return true if this call stopped the ring
     * @throws IllegalStateException if no producer is registered
     */
    public boolean removeProducer() {
        lock.lock();
        try {
            if (producers == 0) {
                throw new IllegalStateException("removeProducer without a matching addProducer");
            }
            producers--;
            return producers == 0 && stop();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Iterates over the chunks as they arrive, blocking in {@link #get()}; ends once the ring is stopped and
     * empty. An interrupt while waiting sets the thread's interrupt status again and throws
     * {@link IllegalStateException}.
     *
     * @return the iterator
     */
    @Override
    public Iterator<Chunk> iterator() {
        return new Iterator<>() {
            private Chunk next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                try {
                    next = get();
                    return true;
                } catch (StoppedException e) {
                    done = true;
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a chunk", e);
                }
            }

            @Override
            public Chunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Chunk out = next;
                next = null;
                return out;
            }
        };
    }

    @Override
    public String toString() {
        return "ChunkRingbuffer(maxSize=" + maxSize + ", size=" + size() + (isStopped() ? ", stopped)" : ")");
    }
}
