package io.spead4j;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An unbounded in-process queue of SPEAD packets, spead2's {@code InprocQueue}: senders
 * ({@code send.InprocStream}) append packets, receive streams ({@code recv.Stream.addInprocReader}) take them.
 *
 * <p><strong>Meant for tests.</strong> The queue has no capacity limit: a sender that outpaces its receivers
 * (or has none) makes it grow until memory runs out, so do not use it in production pipelines. Because it
 * is unbounded, data can be sent before any receiver exists and is all delivered later.
 *
 * <p>Every packet is copied into a private buffer owned by the queue, so the sender may reuse its buffers at
 * once. Several senders may share a queue. Several receivers may share one too, but each packet then goes to
 * exactly one of them (which one is unspecified), so heaps are only reassembled correctly when every heap
 * fits in a single packet.
 *
 * <p>{@link #stop()} marks the end of the stream: adding after it throws {@link IllegalStateException};
 * packets already queued are still delivered, and once the queue is empty every consumer sees the end.
 * Thread-safe.
 */
public final class InprocQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<byte[]> packets = new ArrayDeque<>();
    private boolean stopped;

    /** Creates an empty, running queue. */
    public InprocQueue() {
        // empty
    }

    /**
     * Appends a copy of a packet.
     *
     * @param packet the packet bytes
     * @throws IllegalStateException if the queue was stopped
     */
    public void addPacket(byte[] packet) {
        addPacket(packet, 0, packet.length);
    }

    /**
     * Appends a copy of part of an array as one packet.
     *
     * @param packet array holding the packet
     * @param offset first byte
     * @param length packet length
     * @throws IllegalStateException if the queue was stopped
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public void addPacket(byte[] packet, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, packet.length);
        byte[] copy = new byte[length];
        System.arraycopy(packet, offset, copy, 0, length);
        push(copy);
    }

    /**
     * Appends a copy of the buffer's remaining bytes as one packet (the buffer's position is not moved).
     *
     * @param packet the packet
     * @throws IllegalStateException if the queue was stopped
     */
    public void addPacket(ByteBuffer packet) {
        byte[] copy = new byte[packet.remaining()];
        packet.duplicate().get(copy);
        push(copy);
    }

    /**
     * Appends a packet whose array the caller hands over: the queue owns it from now on and the caller must
     * not touch it again. Used by senders that already built a private copy.
     *
     * @param packet the packet, owned by the queue afterwards
     * @throws IllegalStateException if the queue was stopped
     */
    public void addOwnedPacket(byte[] packet) {
        push(Objects.requireNonNull(packet, "packet"));
    }

    private void push(byte[] packet) {
        lock.lock();
        try {
            if (stopped) {
                throw new IllegalStateException("InprocQueue is stopped: cannot add a packet after stop()");
            }
            packets.addLast(packet);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the end of the stream. Idempotent. Queued packets are still delivered; receivers see the end
     * once the queue is empty.
     */
    public void stop() {
        lock.lock();
        try {
            stopped = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return true once {@link #stop()} has been called */
    public boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    /** @return the number of packets waiting */
    public int size() {
        lock.lock();
        try {
            return packets.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest packet, waiting until there is one.
     *
     * @return the packet, or {@code null} if the queue is stopped and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public byte[] pop() throws InterruptedException {
        lock.lock();
        try {
            while (packets.isEmpty() && !stopped) {
                notEmpty.await();
            }
            return packets.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest packet, waiting at most the given time.
     *
     * @param timeout how long to wait
     * @param unit unit of {@code timeout}
     * @return the packet, or {@code null} if none arrived in time or the queue is stopped and empty (tell
     *     them apart with {@link #isStopped()})
     * @throws InterruptedException if interrupted while waiting
     */
    public byte[] pop(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (packets.isEmpty() && !stopped) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return packets.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** @return the oldest packet without waiting, or {@code null} if there is none */
    public byte[] tryPop() {
        lock.lock();
        try {
            return packets.pollFirst();
        } finally {
            lock.unlock();
        }
    }
}
