package io.spead4j.send;

import io.spead4j.ThreadPool;
import io.spead4j.net.EventLoop;
import io.spead4j.net.TimerSlack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A send stream, spead2's {@code send::Stream}: queues heaps, cuts them into packets and hands the packets to
 * a transport, with heap cnts, substreams, group modes and rate limiting exactly as spead2.
 *
 * <p><b>Queue.</b> At most {@link StreamConfig#maxHeaps()} heaps (each heap of a group counts) may be queued
 * or in flight. Enqueueing never blocks: a heap that does not fit is refused with a
 * {@link QueueFullException} (the future of an async send completes exceptionally at once; nothing is sent
 * and no cnt is used). A group is queued whole or not at all.
 *
 * <p><b>Heap cnts.</b> A heap sent without an explicit cnt gets {@code next & (2^A - 1)}, where A is the
 * heap address width of that heap's flavour, and {@code next} then advances by {@code step} (unmasked);
 * initially next = 1 and step = 1, see {@link #setCntSequence(long, long)}. An explicit cnt is used as is and
 * does not advance the sequence.
 *
 * <p><b>Results.</b> A heap or group completes once its last packet has been handed to the transport, with
 * the total size of its packets that were delivered, or with the first error a packet got (a failed packet
 * is not retried; later packets are still sent). Completions happen in queue order on the stream's writer
 * thread, after the queue slots have been freed; actions chained on the returned futures with non-async
 * methods run on that thread and should be short. Blocking sends throw the failure as a checked
 * {@link IOException}.
 *
 * <p><b>A dead writer.</b> If the writer thread is killed by anything other than a transport failure of a
 * packet (an {@link Error}, or an exception that escapes the packet path, such as an undeclared checked
 * exception from a user's channel), the stream cannot send any more: every heap queued or in flight at that
 * moment completes exceptionally with an {@link IOException} whose cause is that throwable, and so does every
 * later send (at once; blocking sends throw it). {@link #flush()} and {@link #close()} return. Nothing is
 * sent after the failure.
 *
 * <p><b>Arguments.</b> Unlike spead2, which reports them through the completion handler (EINVAL), an
 * out-of-range substream index, an explicit cnt that does not fit in A bits, an empty group, or a packet
 * size below 56 bytes throw {@link IllegalArgumentException} from the sending method, before anything is
 * queued.
 *
 * <p><b>Threads.</b> One writer per stream takes packets from the queue and calls
 * {@link #writePackets(PacketBatch)}; it runs on a thread of the {@link ThreadPool} given at construction,
 * started with the first heap and held until {@link #close()}. A transport driven by readiness (the native
 * {@link UdpStream}) instead runs its writer on one of the pool's event loops, shared with other readers and
 * writers: the writer then runs while there is work, waits for the rate limiter on a timer of the loop and
 * for a full socket buffer on the socket's writability, and holds no thread while idle. Sending methods are
 * thread-safe. {@link #flush()} and {@link #close()} must not be called from the writer thread (e.g. in a
 * completion action), nor from the thread of the event loop the writer runs on.
 *
 * <p><b>Transports</b> extend this class and implement only {@link #writePackets(PacketBatch)}. The packet
 * path allocates nothing per packet: packets are generated into the batch's reusable memory.
 */
public abstract class Stream implements AutoCloseable {
    /**
     * The last part of a rate-limiting wait that is spun in {@code spin} pacing, or where the timer slack
     * cannot be lowered (100 µs).
     */
    private static final long SPIN_NANOS = 100_000;
    /** Whether the batch's gather mode was chosen (the transport is asked once, by the writer's first step). */
    private boolean gatherChosen;
    /** Whether the writer thread has tried to lower its timer slack (writer thread only). */
    private boolean pacingPrepared;
    /** How late a park is expected to wake the writer, ns: the part of a wait spun (writer thread only). */
    private long parkLateness;
    /** The most of a wait that is spun (writer thread only). */
    private long maxParkLateness;
    /**
     * How a pacing writer waits, system property {@code spead4j.send.pacing}: {@code sleep} (the default, as
     * spead2's timer: park with the timer slack lowered, never spin), {@code adaptive} (park until the learnt
     * wake-up lateness before the deadline, spin the rest, up to 50 µs) or {@code spin} (park until 100 µs
     * before, spin the rest; also the fallback where the slack cannot be lowered).
     */
    private static final String PACING = System.getProperty("spead4j.send.pacing", "sleep");

    private static final Logger LOG = LoggerFactory.getLogger(Stream.class);
    /** Most packets handed to the transport at once. */
    private static final int MAX_BATCH_PACKETS = 64;
    /** Target size of a batch's memory. */
    private static final int BATCH_BYTES = 1 << 20;
    /** The largest {@link StreamConfig#maxHeaps()} a stream takes (its slots are allocated up front). */
    static final int MAX_HEAPS = 1 << 30;

    /** One queue entry; the first entry of a group also holds the group's result. */
    private static final class Slot {
        PacketProducer gen;
        int substreamIndex;
        double nanosPerByte;
        GroupMode mode;
        long groupEnd;
        long groupNext;
        CompletableFuture<Long> future;
        long bytes;
        IOException error;
    }

    private final ThreadPool threadPool;
    private final StreamConfig config;
    private final int numSubstreams;
    private final int maxPacketSize;
    private final double defaultNanosPerByte;
    /** Most heaps queued or in flight: {@link StreamConfig#maxHeaps()}. */
    private final int capacity;
    /** The ring of heap slots: {@link #capacity} rounded up to a power of two, so a slot is found by a mask. */
    private final Slot[] slots;
    private final int slotMask;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final Condition progress = lock.newCondition();
    // Guarded by lock.
    private long tail;
    private long head;
    private long completedHead;
    private long nextCnt = 1;
    private long stepCnt = 1;
    private boolean writerIdle = true;
    private boolean writerStarted;
    private boolean closed;
    /** What killed the writer, or null while it is alive; once set, every send fails with it. */
    private Throwable writerFailure;
    private volatile Thread writerThread;
    /** The event loop the writer runs on, or null when it takes a thread (set before the first send). */
    private EventLoop writerLoop;
    /** Loop mode: whether a writer step is posted, running or waiting (timer, writability) (guarded by lock). */
    private boolean writerScheduled;
    /** Loop mode: the step posted to the loop (one object, reused). */
    private final Runnable writerStep = this::writerStep;
    /** Loop mode, loop thread only: the rate limiter's timer, and whether a batch is half sent. */
    private EventLoop.Timer writerTimer;
    /** Loop mode, loop thread only: when the rate limiter's timer was set to wake the writer, or 0. */
    private long timerWake;
    private boolean batchPending;
    private boolean writerLetGo;

    // Writer thread only.
    private final RateLimiter limiter;
    private final PacketBatch batch;
    private final CompletableFuture<?>[] doneFutures;
    private final long[] doneBytes;
    private final IOException[] doneErrors;
    private long active;
    private long activeStart;

    /**
     * Creates the stream core.
     *
     * @param threadPool pool providing the writer thread
     * @param config the configuration
     * @param numSubstreams number of substreams of the transport (at least 1)
     * @throws IllegalArgumentException if {@code numSubstreams < 1} or the configuration's maxHeaps is above 2^30
     */
    protected Stream(ThreadPool threadPool, StreamConfig config, int numSubstreams) {
        this.threadPool = Objects.requireNonNull(threadPool, "threadPool");
        this.config = Objects.requireNonNull(config, "config");
        if (numSubstreams < 1) {
            throw new IllegalArgumentException("a stream needs at least one substream, got " + numSubstreams);
        }
        this.numSubstreams = numSubstreams;
        this.maxPacketSize = config.maxPacketSize();
        this.defaultNanosPerByte = config.rate() > 0.0 ? 1e9 / config.rate() : 0.0;
        int capacity = config.maxHeaps();
        if (capacity > MAX_HEAPS) {
            throw new IllegalArgumentException("maxHeaps must be at most " + MAX_HEAPS + ", got " + capacity);
        }
        this.capacity = capacity;
        int slotCount = Integer.highestOneBit(capacity) == capacity ? capacity : Integer.highestOneBit(capacity) << 1;
        this.slots = new Slot[slotCount];
        this.slotMask = slotCount - 1;
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot();
        }
        this.limiter = new RateLimiter(config.burstSize(), config.burstRateRatio(), System::nanoTime);
        int packetBytes = Math.max(64, maxPacketSize & ~7);
        int packets = Math.max(1, Math.min(MAX_BATCH_PACKETS, BATCH_BYTES / packetBytes));
        this.batch = new PacketBatch(Math.multiplyExact(packets, packetBytes), packets);
        this.doneFutures = new CompletableFuture<?>[capacity];
        this.doneBytes = new long[capacity];
        this.doneErrors = new IOException[capacity];
    }

    /** {@return whether the writer gathers packets from pieces (for tests; read after a send completed)} */
    final boolean gathering() {
        return batch.gathers();
    }

    /** Asks the transport once, on the writer's first step, whether it gathers payload (writer only). */
    private void chooseGather() {
        if (!gatherChosen) {
            gatherChosen = true;
            batch.setGather(gathersPayload());
        }
    }

    /**
     * Whether this transport sends packets gathered from pieces of memory ({@link PacketBatch#pieces}), so
     * the payload is not copied into the batch: the native UDP socket, which hands the kernel scatter-gather
     * lists. Asked once when the writer starts.
     *
     * @return false unless the transport reads pieces
     */
    boolean gathersPayload() {
        return false;
    }

    /**
     * Transport step: delivers a batch of packets. Called on the writer thread only, one batch at a time.
     * Report each packet that could not be delivered with {@link PacketBatch#fail(int, IOException)}; a
     * runtime exception thrown from here fails every packet of the batch not already failed. Must not keep
     * references to the batch after returning.
     *
     * Anything else thrown (an {@link Error}, or a checked exception thrown undeclared) kills the writer: see
     * the class description.
     *
     * @param batch the packets
     */
    protected abstract void writePackets(PacketBatch batch);

    /** {@return the configuration} */
    public final StreamConfig config() {
        return config;
    }

    /** {@return the number of substreams (destinations) of this stream} */
    public final int numSubstreams() {
        return numSubstreams;
    }

    /**
     * Sets the sequence of automatic heap cnts: the next heap sent without a cnt gets {@code next} (masked to
     * its flavour's A bits), the one after {@code next + step}, and so on.
     *
     * @param next the next cnt
     * @param step the increment (as an unsigned 64-bit value; not 0)
     * @throws IllegalArgumentException if {@code step == 0}
     */
    public final void setCntSequence(long next, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("step cannot be 0");
        }
        lock.lock();
        try {
            nextCnt = next;
            stepCnt = step;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a heap with the next automatic cnt on substream 0, blocking until it has been sent.
     *
     * @param heap the heap
     * @return bytes sent (all its packets)
     * @throws IOException if the queue is full ({@link QueueFullException}) or the transport failed
     */
    public final long sendHeap(Heap heap) throws IOException {
        return await(sendHeapAsync(heap));
    }

    /**
     * Sends a heap on substream 0, blocking until it has been sent.
     *
     * @param heap the heap
     * @param cnt explicit cnt ({@code 0 .. 2^A - 1}), or negative for the next automatic one
     * @return bytes sent
     * @throws IOException if the queue is full ({@link QueueFullException}) or the transport failed
     */
    public final long sendHeap(Heap heap, long cnt) throws IOException {
        return await(sendHeapAsync(heap, cnt));
    }

    /**
     * Sends a heap, blocking until it has been sent.
     *
     * @param heap the heap
     * @param cnt explicit cnt ({@code 0 .. 2^A - 1}), or negative for the next automatic one
     * @param substreamIndex the substream, {@code 0 .. numSubstreams() - 1}
     * @return bytes sent
     * @throws IOException if the queue is full ({@link QueueFullException}) or the transport failed
     */
    public final long sendHeap(Heap heap, long cnt, int substreamIndex) throws IOException {
        return await(sendHeapAsync(heap, cnt, substreamIndex));
    }

    /**
     * Sends a heap with its options, blocking until it has been sent.
     *
     * @param heap the heap and its options
     * @return bytes sent
     * @throws IOException if the queue is full ({@link QueueFullException}) or the transport failed
     */
    public final long sendHeap(HeapReference heap) throws IOException {
        return await(sendHeapAsync(heap));
    }

    /**
     * Sends a group of heaps, blocking until all have been sent.
     *
     * @param heaps the heaps, at least one
     * @param mode how their packets are interleaved
     * @return bytes sent for the whole group
     * @throws IOException if the queue has no room for the whole group ({@link QueueFullException}) or the
     *     transport failed
     */
    public final long sendHeaps(List<HeapReference> heaps, GroupMode mode) throws IOException {
        return await(sendHeapsAsync(heaps, mode));
    }

    /**
     * Queues a heap with the next automatic cnt on substream 0.
     *
     * @param heap the heap
     * @return a future of the bytes sent; failed with {@link QueueFullException} at once if the queue is full
     */
    public final CompletableFuture<Long> sendHeapAsync(Heap heap) {
        return sendHeapAsync(new HeapReference(heap));
    }

    /**
     * Queues a heap on substream 0.
     *
     * @param heap the heap
     * @param cnt explicit cnt, or negative for the next automatic one
     * @return a future of the bytes sent
     */
    public final CompletableFuture<Long> sendHeapAsync(Heap heap, long cnt) {
        return sendHeapAsync(new HeapReference(heap, cnt, 0));
    }

    /**
     * Queues a heap.
     *
     * @param heap the heap
     * @param cnt explicit cnt, or negative for the next automatic one
     * @param substreamIndex the substream
     * @return a future of the bytes sent
     */
    public final CompletableFuture<Long> sendHeapAsync(Heap heap, long cnt, int substreamIndex) {
        return sendHeapAsync(new HeapReference(heap, cnt, substreamIndex));
    }

    /**
     * Queues a heap with its options. Enqueueing is synchronous: when this returns, the heap is queued (and
     * its cnt assigned) or refused.
     *
     * @param heap the heap and its options
     * @return a future of the bytes sent; failed at once with {@link QueueFullException} if the queue is full,
     *     or with an {@link IOException} if the writer has died
     * @throws IllegalArgumentException on a bad substream index, cnt or packet size
     * @throws IllegalStateException if the stream is closed
     */
    public final CompletableFuture<Long> sendHeapAsync(HeapReference heap) {
        return enqueue(List.of(heap), GroupMode.SERIAL);
    }

    /**
     * Queues a group of heaps whose packets are sent in the given order; the group completes once.
     *
     * @param heaps the heaps, at least one
     * @param mode how their packets are interleaved
     * @return a future of the bytes sent for the group; failed at once with {@link QueueFullException} (and
     *     nothing queued) if the queue has no room for all of them
     * @throws IllegalArgumentException if the list is empty, or on a bad substream index, cnt or packet size
     * @throws IllegalStateException if the stream is closed
     */
    public final CompletableFuture<Long> sendHeapsAsync(List<HeapReference> heaps, GroupMode mode) {
        Objects.requireNonNull(heaps, "heaps");
        Objects.requireNonNull(mode, "mode");
        if (heaps.isEmpty()) {
            throw new IllegalArgumentException("cannot send an empty group of heaps");
        }
        return enqueue(heaps, mode);
    }

    /**
     * Sends packets the caller writes itself, with exactly the item pointers it chooses (see
     * {@link RawPacketSource} and {@link io.spead4j.wire.RawPacketWriter}), blocking until all are sent.
     *
     * @param packets the packets
     * @param substreamIndex the substream, {@code 0 .. numSubstreams() - 1}
     * @return bytes sent
     * @throws IOException if the queue is full ({@link QueueFullException}) or the transport failed
     */
    public final long sendPackets(RawPacketSource packets, int substreamIndex) throws IOException {
        return await(sendPacketsAsync(packets, substreamIndex));
    }

    /**
     * Queues packets the caller writes itself, as one queue entry (it counts as one heap against
     * {@link StreamConfig#maxHeaps()}): the writer asks {@code packets} for each packet in turn and writes it
     * straight into its batch memory, at the stream's rate, with nothing allocated per packet. No heap cnt is
     * used (the packets carry whatever cnt their writer put in them). A packet the source fails to write
     * (throws, or a size outside 8 .. the stream's maximum packet size) fails the entry, as a heap whose memory
     * became unreadable.
     *
     * @param packets the packets
     * @param substreamIndex the substream, {@code 0 .. numSubstreams() - 1}
     * @return a future of the bytes sent; failed at once with {@link QueueFullException} if the queue is full
     * @throws IllegalArgumentException on a bad substream index, or if {@code packets} has no packet
     * @throws IllegalStateException if the stream is closed
     */
    public final CompletableFuture<Long> sendPacketsAsync(RawPacketSource packets, int substreamIndex) {
        Objects.requireNonNull(packets, "packets");
        if (!packets.hasNextPacket()) {
            throw new IllegalArgumentException("the raw packet source has no packet to send");
        }
        if (substreamIndex < 0 || substreamIndex >= numSubstreams) {
            throw new IllegalArgumentException("substream index " + substreamIndex
                    + " out of range: the stream has " + numSubstreams + " substream(s)");
        }
        return enqueue(List.of(), GroupMode.SERIAL, new RawPackets(packets, maxPacketSize & ~7), substreamIndex);
    }

    private CompletableFuture<Long> enqueue(List<HeapReference> heaps, GroupMode mode) {
        return enqueue(heaps, mode, null, 0);
    }

    /** Queues heaps, or (with {@code raw}) one entry of raw packets on {@code rawSubstream}. */
    private CompletableFuture<Long> enqueue(List<HeapReference> heaps, GroupMode mode, PacketProducer raw,
            int rawSubstream) {
        int n = raw != null ? 1 : heaps.size();
        for (HeapReference ref : heaps) {
            Objects.requireNonNull(ref, "heap reference");
            if (ref.substreamIndex() >= numSubstreams) {
                throw new IllegalArgumentException("substream index " + ref.substreamIndex()
                        + " out of range: the stream has " + numSubstreams + " substream(s)");
            }
            long mask = ref.heap().flavour().addressMask();
            if (ref.cnt() > mask) {
                throw new IllegalArgumentException("heap cnt " + ref.cnt() + " does not fit in "
                        + ref.heap().flavour().heapAddressBits() + " bits");
            }
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the stream is closed");
            }
            if (writerFailure != null) {
                future.completeExceptionally(new IOException("the send stream's writer died earlier: "
                        + writerFailure, writerFailure));
                return future;
            }
            if (tail - head + n > capacity) {
                LOG.warn("dropping heap because queue is full");
                future.completeExceptionally(new QueueFullException("dropping heap because the send queue is "
                        + "full (" + (tail - head) + " of maxHeaps=" + capacity + " in flight, " + n
                        + " more requested)"));
                return future;
            }
            long next = nextCnt;
            PacketProducer[] gens = new PacketProducer[n];
            for (int i = 0; raw == null && i < n; i++) {
                HeapReference ref = heaps.get(i);
                long cnt = ref.cnt();
                if (cnt < 0) {
                    cnt = next & ref.heap().flavour().addressMask();
                    next += stepCnt;
                }
                gens[i] = new PacketGenerator(ref.heap(), cnt, maxPacketSize);
            }
            if (writerLoop != null) {
                if (!writerScheduled) {
                    // the step takes this lock, so it cannot run before the heaps are committed
                    try {
                        writerLoop.execute(writerStep);
                    } catch (RejectedExecutionException e) {
                        throw new IllegalStateException("the stream's thread pool is shut down", e);
                    }
                    writerScheduled = true;
                }
                if (!writerStarted) {
                    writerLoop.retain(); // served until close, even by a closed pool
                    writerStarted = true;
                }
            } else if (!writerStarted) {
                // the writer's first step takes this lock, so it cannot run before the heaps are committed
                try {
                    threadPool.execute(this::runWriter);
                } catch (RejectedExecutionException e) {
                    throw new IllegalStateException("the stream's thread pool is shut down", e);
                }
                writerStarted = true;
            }
            long start = tail;
            long end = tail + n;
            if (raw != null) {
                gens[0] = raw;
            }
            for (int i = 0; i < n; i++) {
                Slot s = slot(start + i);
                s.gen = gens[i];
                if (raw != null) {
                    s.substreamIndex = rawSubstream;
                    s.nanosPerByte = defaultNanosPerByte;
                } else {
                    HeapReference ref = heaps.get(i);
                    s.substreamIndex = ref.substreamIndex();
                    s.nanosPerByte = nanosPerByte(ref.rate(), defaultNanosPerByte);
                }
                s.mode = mode;
                s.groupEnd = end;
                if (i + 1 < n) {
                    s.groupNext = start + i + 1;
                } else {
                    s.groupNext = mode == GroupMode.ROUND_ROBIN ? start : start + i;
                }
                s.future = null;
                s.bytes = 0;
                s.error = null;
            }
            slot(start).future = future;
            nextCnt = next;
            tail = end;
            workAvailable.signal();
        } finally {
            lock.unlock();
        }
        return future;
    }

    private Slot slot(long index) {
        return slots[(int) index & slotMask]; // indices only grow from 0, and a mask costs no division
    }

    private long await(CompletableFuture<Long> future) throws IOException {
        if (onWriterThread() && !future.isDone()) {
            throw new IllegalStateException("a blocking send from the stream's writer thread would deadlock");
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException(
                    "interrupted while waiting for the heap to be sent");
            ie.initCause(e);
            throw ie;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }

    /**
     * Blocks until every heap queued before this call has completed (and its future has been completed).
     * Returns at once if the writer has died (those heaps have then failed).
     *
     * <p><b>Interrupts.</b> If the calling thread is interrupted while waiting (or calls this with its
     * interrupt status set while heaps are pending), this returns early <em>with the interrupt status
     * set</em>; no exception is thrown. The heaps still pending are not abandoned: they are sent and their
     * futures complete as usual. Check {@link Thread#isInterrupted()} to tell an early return from a full
     * flush.
     *
     * @throws IllegalStateException if called from the writer thread
     */
    public final void flush() {
        if (onWriterThread()) {
            throw new IllegalStateException("flush() called from the stream's writer thread would deadlock");
        }
        lock.lock();
        try {
            long target = tail;
            while (completedHead - target < 0) {
                try {
                    progress.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Flushes, then stops the writer. Later sends throw {@link IllegalStateException}. Idempotent. The
     * transport's destination (channel, queue) is not closed; a transport owning a socket overrides this
     * with {@link #closeAndRelease}.
     *
     * <p>If the calling thread is interrupted while this flushes, it stops waiting and returns with the
     * interrupt status set (see {@link #flush()}); the stream is closed to new sends all the same, and the
     * writer still sends the heaps queued before (a socket transport closes its socket at once, so those
     * heaps then fail).
     */
    @Override
    public void close() {
        closeWriter();
    }

    private void closeWriter() {
        flush();
        lock.lock();
        try {
            closed = true;
            workAvailable.signalAll();
            if (writerLoop != null && writerStarted && !writerScheduled) {
                // a last step on the loop lets the writer go: its timer, and its hold on the loop
                try {
                    writerLoop.execute(writerStep);
                    writerScheduled = true;
                } catch (RejectedExecutionException e) {
                    LOG.debug("the send stream's event loop has ended already", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@return whether the caller is the writer, or the thread of the writer's event loop} */
    private boolean onWriterThread() {
        return Thread.currentThread() == writerThread || (writerLoop != null && writerLoop.inLoopThread());
    }

    /**
     * Makes the writer run on an event loop instead of a thread of its own (package SPI for transports driven
     * by readiness; call from the constructor, before any send). The transport then overrides
     * {@link #writePacketsReady(PacketBatch)} and calls {@link #resumeWriter()} when its socket is writable.
     *
     * @param loop the loop
     */
    final void runWriterOn(EventLoop loop) {
        this.writerLoop = loop;
    }

    /** {@return the loop the writer runs on, or null} */
    final EventLoop writerLoop() {
        return writerLoop;
    }

    /**
     * Loop mode: delivers as much of the batch as possible without waiting. The default delivers it all with
     * {@link #writePackets(PacketBatch)}. A transport that would have to wait returns false, arranges to be
     * told when its socket is writable, then calls {@link #resumeWriter()}; this is then called again with
     * the same batch, and goes on where it stopped.
     *
     * @param batch the packets
     * @return true once the whole batch was handled (sent or failed)
     */
    boolean writePacketsReady(PacketBatch batch) {
        writePackets(batch);
        return true;
    }

    /**
     * Loop mode, on the loop thread, when the closed writer has nothing left: removes its timer from the loop
     * and ends its hold on the loop (once).
     */
    private void letGoOfLoop() {
        if (writerTimer != null) {
            writerTimer.dispose();
            writerTimer = null;
        }
        if (!writerLetGo) {
            writerLetGo = true;
            writerLoop.release();
        }
    }

    /** Loop mode, on the loop thread: the loop ended under a waiting writer (a failing loop); it dies. */
    final void writerLoopEnded() {
        writerDied(new IOException("the thread pool's event loop ended under the send stream's writer"));
    }

    /** Loop mode, on the loop thread: the transport can go on (its socket became writable). */
    final void resumeWriter() {
        writerStep();
    }

    /**
     * Loop mode, on the loop thread: finishes a half-sent batch, then sends until the queue is empty (then
     * goes idle until the next send posts a step), the rate limiter asks for a pause (then the writer's timer
     * runs the next step) or the socket is full (then the transport's writability runs it).
     */
    private void writerStep() {
        writerThread = Thread.currentThread();
        chooseGather();
        try {
            if (writerTimer == null) {
                writerTimer = writerLoop.newTimer(writerStep);
            }
            writerTimer.cancel();
            if (timerWake != 0) {
                learnLateness(System.nanoTime() - timerWake);
                timerWake = 0;
            }
            if (batchPending) {
                if (!transmit()) {
                    return;
                }
                batchPending = false;
                completeBatch();
            }
            while (true) {
                lock.lock();
                try {
                    if (active == tail) {
                        writerIdle = true;
                        writerScheduled = false;
                        if (closed) {
                            letGoOfLoop();
                        }
                        return;
                    }
                    leaveIdle();
                } finally {
                    lock.unlock();
                }
                if (!pump()) {
                    return; // waiting for the timer or for writability
                }
            }
        } catch (Throwable t) {
            writerDied(t);
            lock.lock();
            try {
                writerScheduled = false;
            } finally {
                lock.unlock();
            }
        } finally {
            writerThread = null;
        }
    }

    /**
     * For transports owning a socket: {@link #close()} (flush, stop the writer), then close the socket,
     * logging a failure at debug.
     *
     * @param socket the transport's channel
     */
    protected final void closeAndRelease(java.nio.channels.Channel socket) {
        closeWriter();
        try {
            socket.close();
        } catch (java.io.IOException e) {
            LOG.debug("closing {} failed", socket, e);
        }
    }

    // ---------------------------------------------------------------- writer thread

    /**
     * The writer takes work (with {@link #lock} held): if it was idle, the rate limiter forgets the credit of
     * the idle time (spead2's rule).
     */
    private void leaveIdle() {
        if (writerIdle) {
            writerIdle = false;
            limiter.wokeFromIdle();
        }
    }

    private void runWriter() {
        writerThread = Thread.currentThread();
        chooseGather();
        try {
            while (true) {
                lock.lock();
                try {
                    while (active == tail && !closed) {
                        writerIdle = true;
                        workAvailable.awaitUninterruptibly();
                    }
                    if (active == tail) {
                        return;
                    }
                    leaveIdle();
                } finally {
                    lock.unlock();
                }
                pump();
            }
        } catch (Throwable t) {
            writerDied(t);
        } finally {
            writerThread = null;
        }
    }

    /**
     * The writer was killed by {@code cause}: marks the stream failed (later sends fail at once), fails every
     * group queued or in flight, including any whose completion was under way, and wakes flushers. The
     * failure is not rethrown: it is logged here, once. Allocates (almost) nothing and logs last, so that
     * even an {@link OutOfMemoryError} does not leave a future pending.
     */
    private void writerDied(Throwable cause) {
        Throwable failure = cause;
        try {
            failure = new IOException("the send stream's writer died: " + cause, cause);
        } catch (Throwable t) {
            // no memory for the wrapper: fail the futures with the cause itself
        }
        long from;
        long to;
        lock.lock();
        try {
            writerFailure = cause;
            from = head;
            to = tail;
        } finally {
            lock.unlock();
        }
        // groups whose completion was under way when the writer died (completing a done future is a no-op)
        for (int i = 0; i < doneFutures.length; i++) {
            failQuietly(doneFutures[i], failure);
            doneFutures[i] = null;
            doneErrors[i] = null;
        }
        // from now on enqueue refuses every send, so the slots [from, to) are the writer's alone
        for (long g = from; g != to; g = slot(g).groupEnd) {
            failQuietly(slot(g).future, failure);
        }
        batch.clear();
        batchPending = false;
        lock.lock();
        try {
            clearSlotsUntil(to);
            active = to;
            activeStart = to;
            completedHead = to;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            LOG.error("send stream writer died; every queued heap and every later send fails", cause);
        } catch (Throwable t) {
            // nothing more can be done
        }
    }

    private static void failQuietly(CompletableFuture<?> future, Throwable failure) {
        if (future == null) {
            return;
        }
        try {
            future.completeExceptionally(failure);
        } catch (Throwable t) {
            // completion actions run in queue order on this thread; one that throws must not stop the rest
            try {
                LOG.warn("completion action of a failed heap threw", t);
            } catch (Throwable ignored) {
                // nothing more can be done
            }
        }
    }

    /**
     * The pace the rate limiter charges for one heap's bytes (package-private so tests can check the choice
     * on the limiter's fake clock).
     *
     * @param heapRate the heap's {@link HeapReference#rate()}: negative = the stream's rate, 0 = unlimited,
     *     positive = this rate in bytes per second
     * @param streamNanosPerByte the stream's own pace (0 if its rate is unlimited)
     * @return nanoseconds per byte, 0 for unlimited
     */
    static double nanosPerByte(double heapRate, double streamNanosPerByte) {
        return heapRate == 0.0 ? 0.0 : heapRate > 0.0 ? 1e9 / heapRate : streamNanosPerByte;
    }

    /**
     * Sends packets until the queue is empty (as far as the last look at the tail goes).
     *
     * @return true if it is; false (loop mode only) if the writer must wait: for its timer (a rate-limiting
     *     pause longer than {@link #SPIN_NANOS}) or for the transport (a half-sent batch)
     */
    private boolean pump() {
        long knownTail = readTail();
        while (true) {
            long delay = limiter.delayNanos();
            if (delay > 0) {
                long deadline = System.nanoTime() + delay; // before the flush, which takes part of the wait
                if (!flushBatch()) {
                    return false;
                }
                if (writerLoop != null) {
                    preparePacing();
                    if (deadline - System.nanoTime() > parkLateness) {
                        // the loop serves others meanwhile; a spun last stretch (if any) follows the timer
                        timerWake = deadline - parkLateness;
                        writerTimer.schedule(timerWake);
                        return false;
                    }
                    spinUntil(deadline);
                    continue;
                }
                sleepUntil(deadline);
                continue;
            }
            if (active == knownTail) {
                knownTail = readTail();
                if (active == knownTail) {
                    return flushBatch();
                }
            }
            if (!batch.hasRoom(maxPacketSize & ~7)) {
                if (!flushBatch()) {
                    return false;
                }
            }
            Slot cur = slot(active);
            int size;
            try {
                if (batch.gathers()) {
                    size = cur.gen.nextPacketGathered(batch);
                    batch.addGathered(size, cur.gen.gatheredSegmentBytes(), cur.substreamIndex, activeStart);
                } else {
                    size = cur.gen.nextPacket(batch.segment(), batch.nextOffset());
                    batch.add(size, cur.substreamIndex, activeStart);
                }
            } catch (RuntimeException e) {
                if (!abortGroup(e)) {
                    return false;
                }
                continue;
            }
            limiter.packetTaken(size, cur.nanosPerByte);
            advance(cur);
        }
    }

    /** Moves {@code active} to the heap that gives the next packet (spead2's group-mode step). */
    private void advance(Slot cur) {
        if (cur.mode == GroupMode.ROUND_ROBIN) {
            long nextActive = cur.groupNext;
            Slot next = nextActive == active ? cur : slot(nextActive);
            while (!next.gen.hasNextPacket()) {
                if (nextActive == active) {
                    batch.markLast();
                    active = cur.groupEnd;
                    activeStart = active;
                    return;
                }
                nextActive = next.groupNext;
                next = slot(nextActive);
            }
            cur.groupNext = nextActive;
            active = nextActive;
        } else {
            Slot next = cur;
            while (!next.gen.hasNextPacket()) {
                active++;
                if (active == cur.groupEnd) {
                    batch.markLast();
                    activeStart = active;
                    return;
                }
                next = slot(active);
            }
        }
    }

    /**
     * A packet of the current group could not be generated (its memory became inaccessible, e.g. a closed
     * arena or a segment confined to another thread): send what is batched, then complete the group with
     * the error and skip its remaining packets.
     *
     * @return false if the batch could not be sent yet (loop mode): the packet is tried again later
     */
    private boolean abortGroup(RuntimeException e) {
        LOG.debug("cannot generate a packet; abandoning the heap group", e);
        if (!flushBatch()) {
            return false;
        }
        Slot first = slot(activeStart);
        if (first.error == null) {
            first.error = new IOException("cannot generate packet: " + e, e);
        }
        active = first.groupEnd;
        activeStart = active;
        groupsCompleted(1);
        return true;
    }

    private long readTail() {
        lock.lock();
        try {
            return tail;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sleeps until {@code deadline} ({@link System#nanoTime()}). Parking overshoots by the thread's timer slack
     * (50 µs unless lowered) plus the scheduler's wake-up latency, at high rates as long as a whole burst; a
     * spinning writer, though, takes a core from a receiver on the same machine (measured: a writer spinning
     * the last 100 µs of each wait used 0.7 of a core at 8 Gb/s). So the writer lowers its thread's slack
     * ({@link TimerSlack}) the first time it paces and then, by default, only parks, as spead2's writer waits
     * on a timer; the rate limiter's debt accounting sends late bursts back to back at the burst rate. See
     * {@link #PACING} for the other strategies.
     */
    private void sleepUntil(long deadline) {
        preparePacing();
        long left = deadline - System.nanoTime();
        if (left > parkLateness) {
            long asked = left - parkLateness;
            long before = System.nanoTime();
            LockSupport.parkNanos(asked);
            learnLateness(System.nanoTime() - before - asked);
        }
        spinUntil(deadline);
    }

    /** Chooses the pacing strategy the first time the writer waits (see {@link #PACING}). */
    private void preparePacing() {
        if (!pacingPrepared) {
            pacingPrepared = true;
            boolean lowered = TimerSlack.setForCurrentThread(TimerSlack.PACING_NANOS);
            // a loop's timer (timerfd) has no slack, so there only the choice of strategy counts
            boolean spin = PACING.equals("spin") || (!lowered && writerLoop == null);
            parkLateness = spin ? SPIN_NANOS : 0;
            maxParkLateness = spin ? SPIN_NANOS : PACING.equals("adaptive") ? SPIN_NANOS / 2 : 0;
        }
    }

    /** Updates the expected wake-up lateness from one wait; an early return (interrupt, spurious) teaches nothing. */
    private void learnLateness(long late) {
        if (late >= 0) {
            parkLateness = Math.min(maxParkLateness, parkLateness + (late - parkLateness) / 8);
        }
    }

    private static void spinUntil(long deadline) {
        while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Hands the batch to the transport and completes what it finishes.
     *
     * @return true if done; false (loop mode) if the transport waits for writability with the batch half sent
     */
    private boolean flushBatch() {
        if (batch.size() == 0) {
            return true;
        }
        if (!transmit()) {
            batchPending = true;
            return false;
        }
        completeBatch();
        return true;
    }

    /** {@return false if the transport must wait to send the rest (loop mode)} */
    private boolean transmit() {
        int count = batch.size();
        try {
            if (writerLoop != null) {
                return writePacketsReady(batch);
            }
            writePackets(batch);
        } catch (RuntimeException e) {
            LOG.debug("transport failed on a batch of {} packets", count, e);
            IOException io = new IOException("transport failed: " + e, e);
            for (int i = 0; i < count; i++) {
                if (!batch.failed(i)) {
                    batch.fail(i, io);
                }
            }
        }
        return true;
    }

    /** Adds the sent batch's bytes and errors to its groups, completes the groups it ends, clears it. */
    private void completeBatch() {
        int count = batch.size();
        int groups = 0;
        boolean failures = batch.anyFailed();
        // a group's packets are consecutive: its slot is looked up and its bytes added once a run
        Slot g = null;
        long runGroup = 0;
        long runBytes = 0;
        for (int i = 0; i < count; i++) {
            long group = batch.group(i);
            if (g == null || group != runGroup) {
                if (g != null) {
                    g.bytes += runBytes;
                }
                g = slot(group);
                runGroup = group;
                runBytes = 0;
            }
            IOException error = failures ? batch.error(i) : null;
            if (error == null) {
                runBytes += batch.length(i);
            } else if (g.error == null) {
                g.error = error;
            }
            if (batch.last(i)) {
                groups++;
            }
        }
        if (g != null) {
            g.bytes += runBytes;
        }
        batch.clear();
        if (groups > 0) {
            groupsCompleted(groups);
        }
    }

    /** Empties the slots from {@code head} up to {@code end} and advances {@code head} there (lock held). */
    private void clearSlotsUntil(long end) {
        while (head != end) {
            Slot s = slot(head);
            s.gen = null;
            s.future = null;
            s.error = null;
            head++;
        }
    }

    /** Frees the slots of the {@code n} oldest groups, then completes their futures, then wakes flushers. */
    private void groupsCompleted(int n) {
        long newHead;
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                Slot first = slot(head);
                doneFutures[i] = first.future;
                doneBytes[i] = first.bytes;
                doneErrors[i] = first.error;
                clearSlotsUntil(first.groupEnd);
            }
            newHead = head;
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            CompletableFuture<Long> f = (CompletableFuture<Long>) doneFutures[i];
            doneFutures[i] = null;
            IOException error = doneErrors[i];
            doneErrors[i] = null;
            try {
                if (error != null) {
                    f.completeExceptionally(error);
                } else {
                    f.complete(doneBytes[i]);
                }
            } catch (RuntimeException e) {
                LOG.warn("completion action of a sent heap threw", e);
            }
        }
        lock.lock();
        try {
            completedHead = newHead;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
