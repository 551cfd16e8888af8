package io.spead4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An unbounded in-process queue of SPEAD packets, spead2's {@code InprocQueue}: senders
 * ({@code send.InprocStream}) append packets, receive streams ({@code recv.Stream.addInprocReader}) take them.
 *
 * <p><strong>Meant for tests.</strong> The queue has no capacity limit: a sender that outpaces its receivers
 * (or has none) makes it grow until memory runs out, so do not use it in production pipelines. Because it
 * is unbounded, data can be sent before any receiver exists and is all delivered later.
 *
 * <p>Every packet is copied into memory owned by the queue, so the sender may reuse its buffers at once.
 * Several senders may share a queue. Several receivers may share one too, but each packet then goes to
 * exactly one of them (which one is unspecified), so heaps are only reassembled correctly when every heap
 * fits in a single packet.
 *
 * <p>{@link #stop()} marks the end of the stream: adding after it throws {@link IllegalStateException};
 * packets already queued are still delivered, and once the queue is empty every consumer sees the end.
 *
 * <p>Packets are stored back to back in large chunks, so queueing and taking a packet with
 * {@link #pop(Packet)} creates no object per packet: the chunk memory is the only allocation. Thread-safe.
 *
 * <p>Consumers either wait in {@link #pop(Packet)} (a thread each) or, as the receive streams' readers do on
 * a {@link ThreadPool} with event loops, take no thread: they {@linkplain #addListener(Runnable) listen} for
 * the queue changing and then take packets with {@link #tryPop(Packet)} until there are none.
 */
public final class InprocQueue {
    /** Size of the chunks packets are copied into; a larger packet gets a chunk of its own. */
    static final int CHUNK_SIZE = 1 << 20;

    /**
     * A reusable view of one popped packet: the queue's memory holding it, its offset and length. Valid until
     * the holder is passed to {@link #pop(Packet)} again; the bytes themselves are never overwritten.
     */
    public static final class Packet {
        private MemorySegment segment = MemorySegment.NULL;
        private long offset;
        private int length;

        /** Creates an empty holder. */
        public Packet() {
            // empty
        }

        /** {@return the memory holding the packet} */
        public MemorySegment segment() {
            return segment;
        }

        /** {@return the packet's offset in {@link #segment()}} */
        public long offset() {
            return offset;
        }

        /** {@return the packet's length in bytes} */
        public int length() {
            return length;
        }

        /** {@return a copy of the packet's bytes} */
        public byte[] toByteArray() {
            return segment.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    // circular buffer of entries (chunk, offset, length), grown by doubling
    private MemorySegment[] chunks = new MemorySegment[64];
    private long[] offsets = new long[64];
    private int[] lengths = new int[64];
    private int head;
    private int count;
    private MemorySegment tailChunk = MemorySegment.NULL;
    private long tailUsed;
    private boolean stopped;
    private int waiting;
    /** The listeners, replaced as a whole (under the queue's lock) when one is added or removed. */
    private volatile Runnable[] listeners = new Runnable[0];

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
        addPacket(MemorySegment.ofArray(packet), 0, packet.length);
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
        addPacket(MemorySegment.ofArray(packet), offset, length);
    }

    /**
     * Appends a copy of the buffer's remaining bytes as one packet (the buffer's position is not moved).
     *
     * @param packet the packet
     * @throws IllegalStateException if the queue was stopped
     */
    public void addPacket(ByteBuffer packet) {
        addPacket(MemorySegment.ofBuffer(packet), 0, packet.remaining());
    }

    /**
     * Appends a copy of a range of memory as one packet.
     *
     * @param source memory holding the packet
     * @param offset offset of the packet in {@code source}
     * @param length packet length, at most {@link Integer#MAX_VALUE}
     * @throws IllegalStateException if the queue was stopped
     * @throws IndexOutOfBoundsException if the range is outside {@code source}
     * @throws IllegalArgumentException if the length is negative or too large
     */
    public void addPacket(MemorySegment source, long offset, long length) {
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("packet length must be 0.." + (Integer.MAX_VALUE - 16) + ", got " + length);
        }
        Objects.checkFromIndexSize(offset, length, source.byteSize());
        synchronized (this) {
            if (stopped) {
                throw new IllegalStateException("InprocQueue is stopped: cannot add a packet after stop()");
            }
            if (tailUsed + length > tailChunk.byteSize()) {
                tailChunk = MemorySegment.ofArray(new byte[(int) Math.max(CHUNK_SIZE, length)]);
                tailUsed = 0;
            }
            MemorySegment.copy(source, offset, tailChunk, tailUsed, length);
            if (count == chunks.length) {
                grow();
            }
            int slot = (head + count) & (chunks.length - 1);
            chunks[slot] = tailChunk;
            offsets[slot] = tailUsed;
            lengths[slot] = (int) length;
            count++;
            tailUsed += length;
            if (waiting > 0) {
                notify();
            }
        }
        signalListeners();
    }

    /**
     * Adds a listener told, after each packet is added and after the first {@link #stop()}, that the queue
     * may have something to take or has stopped. <strong>Not part of the stable API:</strong> this is the
     * hook by which a receive stream's reader waits on the queue without a thread of its own.
     *
     * <p>A listener runs on the thread that called {@code addPacket} or {@code stop}, after the packet is
     * visible to {@link #tryPop(Packet)} and outside the queue's lock (so it may call the queue). It must be
     * cheap and must not block, since it delays the sender: typically it schedules a task that drains the
     * queue with {@link #tryPop(Packet)}. A throwable from a listener is passed on to that caller after the
     * other listeners have run; the packet stays queued. A wakeup does not promise a packet: another consumer
     * may have taken it first. A listener is not told about packets queued before it was added, so a
     * consumer looks at the queue once after adding its listener. Listening does not change which consumer
     * gets a packet: every packet still goes to exactly one {@code pop}/{@code tryPop} call.
     *
     * @param listener the listener; a listener added twice is called twice
     */
    public void addListener(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            Runnable[] now = listeners;
            Runnable[] more = Arrays.copyOf(now, now.length + 1);
            more[now.length] = listener;
            listeners = more;
        }
    }

    /**
     * Removes a listener added with {@link #addListener(Runnable)} (one registration of it, compared by
     * identity); nothing happens if it is not there. <strong>Not part of the stable API.</strong> A call of
     * the listener already under way on another thread may still complete after this returns.
     *
     * @param listener the listener
     */
    public void removeListener(Runnable listener) {
        synchronized (this) {
            Runnable[] now = listeners;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == listener) {
                    Runnable[] fewer = new Runnable[now.length - 1];
                    System.arraycopy(now, 0, fewer, 0, i);
                    System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                    listeners = fewer;
                    return;
                }
            }
        }
    }

    /** Calls every listener (outside the lock); the first throwable is passed on once all have run. */
    private void signalListeners() {
        Runnable[] now = listeners;
        if (now.length == 0) {
            return;
        }
        Throwable first = null;
        for (Runnable listener : now) {
            try {
                listener.run();
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                } else {
                    first.addSuppressed(t);
                }
            }
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException("an InprocQueue listener failed", first);
        }
    }

    private void grow() {
        int n = chunks.length;
        MemorySegment[] c = new MemorySegment[n * 2];
        long[] o = new long[n * 2];
        int[] l = new int[n * 2];
        for (int i = 0; i < count; i++) {
            int from = (head + i) & (n - 1);
            c[i] = chunks[from];
            o[i] = offsets[from];
            l[i] = lengths[from];
        }
        chunks = c;
        offsets = o;
        lengths = l;
        head = 0;
    }

    /**
     * Marks the end of the stream. Idempotent. Queued packets are still delivered; receivers see the end
     * once the queue is empty. The first call tells the {@linkplain #addListener(Runnable) listeners}.
     */
    public void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            notifyAll();
        }
        signalListeners();
    }

    /** {@return true once {@link #stop()} has been called} */
    public synchronized boolean isStopped() {
        return stopped;
    }

    /** {@return the number of packets waiting} */
    public synchronized int size() {
        return count;
    }

    /**
     * Takes the oldest packet without copying it, waiting until there is one.
     *
     * @param into the holder to fill
     * @return true if a packet was taken; false if the queue is stopped and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean pop(Packet into) throws InterruptedException {
        while (count == 0 && !stopped) {
            waiting++;
            try {
                wait();
            } finally {
                waiting--;
            }
        }
        return take(into);
    }

    /**
     * Takes the oldest packet without copying it, waiting at most the given time.
     *
     * @param into the holder to fill
     * @param timeout how long to wait
     * @param unit unit of {@code timeout}
     * @return true if a packet was taken; false if none arrived in time or the queue is stopped and empty
     *     (tell them apart with {@link #isStopped()})
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean pop(Packet into, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (count == 0 && !stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            waiting++;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } finally {
                waiting--;
            }
        }
        return take(into);
    }

    /**
     * Takes the oldest packet without copying it and without waiting.
     *
     * @param into the holder to fill
     * @return true if a packet was taken
     */
    public synchronized boolean tryPop(Packet into) {
        return take(into);
    }

    private boolean take(Packet into) {
        if (count == 0) {
            return false;
        }
        into.segment = chunks[head];
        into.offset = offsets[head];
        into.length = lengths[head];
        chunks[head] = null;
        head = (head + 1) & (chunks.length - 1);
        count--;
        return true;
    }

    /**
     * Takes a copy of the oldest packet, waiting until there is one.
     *
     * @return the packet, or {@code null} if the queue is stopped and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public byte[] pop() throws InterruptedException {
        Packet p = new Packet();
        return pop(p) ? p.toByteArray() : null;
    }

    /**
     * Takes a copy of the oldest packet, waiting at most the given time.
     *
     * @param timeout how long to wait
     * @param unit unit of {@code timeout}
     * @return the packet, or {@code null} if none arrived in time or the queue is stopped and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public byte[] pop(long timeout, TimeUnit unit) throws InterruptedException {
        Packet p = new Packet();
        return pop(p, timeout, unit) ? p.toByteArray() : null;
    }

    /** {@return a copy of the oldest packet without waiting, or {@code null} if there is none} */
    public byte[] tryPop() {
        Packet p = new Packet();
        return tryPop(p) ? p.toByteArray() : null;
    }
}
