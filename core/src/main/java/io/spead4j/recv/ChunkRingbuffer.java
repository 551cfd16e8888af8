package io.spead4j.recv;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

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
 *
 * <p>Waiting allocates nothing: the ring waits on a monitor ({@code Object.wait}), not on a
 * {@code java.util.concurrent} condition, whose every wait allocates a queue node.
 */
public final class ChunkRingbuffer implements Iterable<Chunk> {
    private final int maxSize;
    private final ArrayDeque<Chunk> queue;
    /** Guards everything below; waiters for room and for chunks both wait on it. */
    private final Object lock = new Object();
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

    /** {@return the capacity in chunks} */
    public int maxSize() {
        return maxSize;
    }

    /** {@return the number of chunks queued now} */
    public int size() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** {@return true if no chunk is queued now} */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** {@return true if the ring is at capacity now} */
    public boolean isFull() {
        return size() == maxSize;
    }

    /** {@return true once the ring was stopped} */
    public boolean isStopped() {
        synchronized (lock) {
            return stopped;
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
        synchronized (lock) {
            while (!stopped && queue.size() >= maxSize) {
                lock.wait();
            }
            enqueue(chunk);
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
        boolean interrupted = false;
        synchronized (lock) {
            while (!stopped && queue.size() >= maxSize) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            try {
                enqueue(chunk);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
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
        synchronized (lock) {
            if (!stopped && queue.size() >= maxSize) {
                return false;
            }
            enqueue(chunk);
            return true;
        }
    }

    private void enqueue(Chunk chunk) {
        if (stopped) {
            throw new StoppedException();
        }
        queue.addLast(chunk);
        lock.notifyAll();
    }

    /**
     * Takes the oldest chunk, waiting for one.
     *
     * @return the chunk
     * @throws StoppedException once the ring is stopped and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public Chunk get() throws InterruptedException {
        synchronized (lock) {
            while (queue.isEmpty() && !stopped) {
                lock.wait();
            }
            return dequeue();
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
        long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            while (queue.isEmpty() && !stopped) {
                if (nanos <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, nanos);
                nanos = deadline - System.nanoTime();
            }
            return dequeue();
        }
    }

    /**
     * Takes a chunk for a stream worker: waits without reacting to interrupts; returns null instead of
     * throwing once the ring is stopped and empty.
     */
    Chunk getUninterruptibly() {
        boolean interrupted = false;
        synchronized (lock) {
            while (queue.isEmpty() && !stopped) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return queue.isEmpty() ? null : take();
        }
    }

    /**
     * Takes the oldest chunk without waiting (spead2's {@code get_nowait}).
     *
     * @return the chunk, or null if the ring is empty (spead2 raises {@code Empty})
     * @throws StoppedException if the ring is stopped and empty
     */
    public Chunk tryGet() {
        synchronized (lock) {
            if (queue.isEmpty() && !stopped) {
                return null;
            }
            return dequeue();
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
        lock.notifyAll();
        return out;
    }

    /**
     * Stops the ring: no more puts; blocked puts and, once the ring is empty, gets throw
     * {@link StoppedException}. Idempotent.
     *
     * @return true if this call stopped the ring, false if it was already stopped
     */
    public boolean stop() {
        synchronized (lock) {
            if (stopped) {
                return false;
            }
            stopped = true;
            lock.notifyAll();
            return true;
        }
    }

    /** Registers a producer; the ring stops when every registered producer has called {@link #removeProducer()}. */
    public void addProducer() {
        synchronized (lock) {
            producers++;
        }
    }

    /**
     * Unregisters a producer; the last one to leave stops the ring.
     *
     * @return true if this call stopped the ring
     * @throws IllegalStateException if no producer is registered
     */
    public boolean removeProducer() {
        synchronized (lock) {
            if (producers == 0) {
                throw new IllegalStateException("removeProducer without a matching addProducer");
            }
            producers--;
            return producers == 0 && stop();
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
        return new BlockingRingIterator<>(this::get, "a chunk");
    }

    @Override
    public String toString() {
        return "ChunkRingbuffer(maxSize=" + maxSize + ", size=" + size() + (isStopped() ? ", stopped)" : ")");
    }
}
