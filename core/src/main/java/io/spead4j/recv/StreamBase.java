package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.MemoryAllocator;
import io.spead4j.ThreadPool;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.wire.PacketDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The receive pipeline shared by every stream kind and every transport, spead2's {@code stream_base} +
 * {@code stream}: readers hand packets in batches to one packet step (SPEAD2-BEHAVIOUR.md §2.2), which keeps
 * {@code substreams × maxHeaps} slots of live heaps, assembles payload, evicts and flushes, and hands every
 * heap that leaves to one point, the subclass's heap-ready hook. The ring {@link Stream} and
 * {@link CallbackStream} are subclasses; so will be chunk streams.
 *
 * <p>Packets are processed by one thread at a time (a lock per stream, held for a whole reader batch);
 * batch counters are merged into the statistics when the batch ends. Readers run on the stream's
 * {@link ThreadPool}. Once the stream has stopped (stop item, end of a source, or {@link #stop()}), readers
 * added later are silently ignored.
 *
 * <p>Failures never leave a stream half alive: an exception or {@link Error} that escapes a reader (from a
 * transport, a user {@link MemoryAllocator} or a heap callback) is logged and stops the stream as if its data
 * had ended, and one thrown while a stop flushes the live heaps is logged and skipped, so the stop always
 * completes (consumers are woken, {@link #awaitStopped()} and later {@link #stop()} calls return). The first
 * such failure is kept: {@link #failure()}, and the cause of the {@link StoppedException} a ring stream
 * throws once it has stopped.
 */
public abstract class StreamBase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamBase.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final String name;

    private final ThreadPool threadPool;
    private final StreamConfig config;
    private final MemoryAllocator allocator;

    private final ReentrantLock lock = new ReentrantLock();
    private final PacketStep step;

    private final CountDownLatch stoppedLatch = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private final Object readerLock = new Object();
    private final List<Reader> readers = new ArrayList<>();
    /** The sockets of the socket readers, in the order added (for {@link #localAddresses()}). */
    private final List<Channel> sockets = new ArrayList<>();
    private boolean readersStarted;
    private boolean stopReaders;

    StreamBase(ThreadPool threadPool, StreamConfig config) {
        this.threadPool = threadPool;
        this.config = Objects.requireNonNull(config, "config");
        this.allocator = config.memoryAllocator();
        Class<?> kind = getClass();
        while (kind.getSimpleName().isEmpty()) {
            kind = kind.getSuperclass();
        }
        this.name = kind.getSimpleName() + "-" + SEQUENCE.incrementAndGet();
        this.step = new PacketStep(config, new Sink(), name);
        this.readersStarted = !config.explicitStart();
    }

    /** The stream's end of its packet step: the subclass hooks, and failures recorded as the stream's. */
    private final class Sink implements PacketStep.HeapSink {
        @Override
        public LiveHeap createLiveHeap(PacketDecoder firstPacket) {
            return StreamBase.this.createLiveHeap(firstPacket);
        }

        @Override
        public void heapReady(LiveHeap heap) {
            liveHeapReady(heap);
        }

        @Override
        public void stopFlushFailed(long heapCnt, Throwable t) {
            recordFailure("delivering flushed heap " + heapCnt + " while stopping", t);
        }
    }

    /** {@return the stream's configuration} */
    public final StreamConfig config() {
        return config;
    }

    /**
     * The stream's name in monitoring (JFR events, progress lines): its class and a number unique in this
     * JVM, e.g. {@code Stream-3}.
     *
     * @return the name
     */
    public final String name() {
        return name;
    }

    /** {@return the thread pool the readers run on (null for internal streams without readers)} */
    final ThreadPool threadPool() {
        return threadPool;
    }

    /**
     * Called under the stream's lock for every heap that leaves the live set: complete, evicted or flushed
     * (never a complete heap that carries the stop that ends the stream). The implementation owns the heap
     * and must freeze it or {@link LiveHeap#release()} it.
     *
     * @param heap the heap
     */
    abstract void liveHeapReady(LiveHeap heap);

    /**
     * Creates the live heap for the first packet of a heap (caller holds the lock). A chunk stream overrides
     * this to place payload in chunk memory instead of the configured allocator, and may return null to
     * drop the packet (see {@link PacketStep.HeapSink#createLiveHeap}).
     *
     * @param firstPacket the decoded packet that starts the heap
     * @return a new live heap, or null to drop the packet
     */
    LiveHeap createLiveHeap(PacketDecoder firstPacket) {
        return new LiveHeap(firstPacket.heapCnt(), firstPacket.heapAddressBits(), allocator, config.memcpy());
    }

    /** Called (without the stream's lock) when the user calls {@link #stop()}, before the stream is flushed. */
    void beforeUserStop() {
        // nothing by default
    }

    /**
     * Called under the stream's lock once the stream has stopped and its live heaps were flushed, before
     * {@link #awaitStopped()} returns: what a consumer must have seen by then.
     */
    void beforeStopSignalled() {
        // nothing by default
    }

    /** Called under the stream's lock once the stream has stopped and was flushed. */
    void afterStopReceived() {
        // nothing by default
    }

    // ------------------------------------------------------------------------------------------------ batches

    /**
     * Starts a batch: takes the stream's lock (held until {@link #endBatch}) and resets the batch.
     *
     * @param batch the reader's batch
     * @return {@code batch}
     */
    final Batch beginBatch(Batch batch) {
        lock.lock();
        step.beginBatch(batch);
        return batch;
    }

    /**
     * Ends a batch: stops the stream if the batch says so (flushing live heaps), merges its counters and
     * releases the lock.
     *
     * @param batch the batch from {@link #beginBatch}
     */
    final void endBatch(Batch batch) {
        try {
            if (batch.streamWasStopped) {
                return;
            }
            // spead2 stops (flushes) before merging; merging first gives the same totals and makes them
            // complete by the time a consumer sees the stream end.
            if (!(batch.packets == 0 && batch.stopped)) {
                step.mergeBatch(batch);
            }
            if (batch.stopped) {
                stopReceived();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decodes one packet and offers it to the stream (between {@link #beginBatch} and {@link #endBatch}).
     * Packets that fail to decode are dropped (debug log) and not counted.
     *
     * @param batch the current batch (must not be stopped)
     * @param segment memory holding the packet
     * @param offset offset of the packet
     * @param length bytes available from {@code offset}
     * @param requireExactSize if true the packet must decode to exactly {@code length} bytes (datagrams,
     *     queue entries); otherwise it may be shorter (back-to-back buffers)
     * @return the decoded packet size, or 0 if it did not decode (or its size did not match)
     */
    final long addPacket(Batch batch, MemorySegment segment, long offset, long length, boolean requireExactSize) {
        return step.addPacket(batch, segment, offset, length, requireExactSize);
    }

    /**
     * The packet step (SPEAD2-BEHAVIOUR.md §2.2), for a packet that decoded.
     *
     * @return true if the packet was accepted by a live heap
     */
    final boolean processPacket(Batch batch, PacketDecoder p) {
        return step.processPacket(batch, p);
    }

    /**
     * Runs a task under the stream's lock, between reader batches (spead2 posts such tasks to the stream's
     * executor; a chunk stream group asks its members to release chunks this way).
     *
     * @param task the task
     */
    final void runLocked(Runnable task) {
        lock.lock();
        try {
            task.run();
        } finally {
            lock.unlock();
        }
    }

    /** Flushes the live heaps now (spead2's C++ {@code flush()}). */
    final void flush() {
        lock.lock();
        try {
            step.flush(false);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the stream (caller holds the lock): flush, stop readers, subclass hook. */
    private void stopReceived() {
        if (!step.markStopped()) {
            return; // a heap-ready hook already stopped the stream from inside the batch
        }
        try {
            step.flush(true);
        } finally {
            try {
                synchronized (readerLock) {
                    stopReaders = true;
                    for (Reader r : readers) {
                        r.requestStop();
                    }
                }
            } finally {
                try {
                    beforeStopSignalled();
                } finally {
                    stoppedLatch.countDown();
                    afterStopReceived();
                }
            }
        }
    }

    /**
     * Records a failure (the first one is kept, later ones are only logged) and logs it: {@link Error}s at
     * error level, exceptions at warning level.
     *
     * @param what what failed, for the log
     * @param t the throwable
     */
    final void recordFailure(String what, Throwable t) {
        boolean first = failure.compareAndSet(null, t);
        String message = "stream " + (first ? "failure" : "further failure") + ": " + what;
        if (t instanceof Error) {
            LOG.error(message, t);
        } else {
            LOG.warn(message, t);
        }
    }

    /**
     * Stops the stream after a reader failed (a throwable escaped it): records the failure, then stops the
     * stream as at the end of that reader's data (live heaps are flushed to the consumer). Never throws.
     *
     * @param reader the reader
     * @param batch the reader's batch
     * @param t what escaped it
     */
    final void readerFailed(Reader reader, Batch batch, Throwable t) {
        recordFailure("reader " + reader + " failed; stopping the stream as at the end of its data", t);
        ReceiveEvents.readerFailed(name, String.valueOf(reader), t);
        try {
            Batch b = beginBatch(batch);
            try {
                b.stop();
            } finally {
                endBatch(b);
            }
        } catch (Throwable again) {
            recordFailure("stopping the stream after reader " + reader + " failed", again);
        }
    }

    /**
     * The first unexpected exception or {@link Error} that stopped the stream (escaping a reader: transport,
     * {@link MemoryAllocator} or heap callback) or that was thrown while a stop flushed its live heaps. A
     * stream that stopped normally (stop item, end of data, {@link #stop()}) has none. Once the stream has
     * stopped, a ring stream's {@link StoppedException} carries it as its cause.
     *
     * @return the failure, or empty
     */
    public final Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Stops the stream: idempotent. Live heaps are flushed to the consumer (a ring stream drops them, since
     * it stops its ring first) and readers are stopped. A throwable from the flush (a heap callback, an
     * allocator) does not escape: it is logged, kept as the {@link #failure()}, and the stop completes.
     */
    public void stop() {
        beforeUserStop();
        lock.lock();
        try {
            if (!step.isStopped()) {
                stopReceived();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public final void close() {
        stop();
    }

    /** {@return true once the stream has stopped (and flushed)} */
    public final boolean isStopped() {
        return stoppedLatch.getCount() == 0;
    }

    /**
     * Waits until the stream has stopped (stop item, end of source or {@link #stop()}) and its live heaps were
     * flushed to the consumer.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public final void awaitStopped() throws InterruptedException {
        stoppedLatch.await();
    }

    /**
     * Waits at most the given time until the stream has stopped.
     *
     * @param timeout how long to wait
     * @param unit unit of {@code timeout}
     * @return true if it stopped
     * @throws InterruptedException if interrupted while waiting
     */
    public final boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        return stoppedLatch.await(timeout, unit);
    }

    // ------------------------------------------------------------------------------------------------ stats

    /** {@return a snapshot of the statistics (core ones in spead2's order, then custom ones)} */
    public final StreamStats getStats() {
        return step.stats();
    }

    /**
     * Packets rejected because their heap would exceed {@link StreamConfig#maxHeapSize()} (or its memory could
     * not be allocated). A spead4j counter, not one of spead2's statistics; such packets are still counted in
     * {@code packets}.
     *
     * @return the number of such packets
     */
    public final long oversizedPackets() {
        return step.oversizedPackets();
    }

    /**
     * How many packets and heaps this stream discarded, by {@link DropReason}: spead4j's counters, kept apart
     * from spead2's statistics ({@link #getStats()} stays what spead2 reports).
     *
     * @return a snapshot
     */
    public final DropCounts getDrops() {
        return step.drops();
    }

    /** Counts discarded packets or heaps from outside a batch (any thread). */
    final void countDrops(DropReason reason, long count) {
        step.countDrops(reason, count);
    }

    /**
     * Updates a custom statistic now, from any thread: the way a ring stream's consumer (or any code outside
     * the heap-ready hook) counts something of its own. The value is combined with the statistic's mode.
     *
     * @param index the statistic's index ({@link StreamConfig#getStatIndex})
     * @param value value to add (COUNTER) or to compare (MAXIMUM)
     * @throws IllegalArgumentException if {@code index} is not a custom statistic
     */
    public final void updateStat(int index, long value) {
        step.updateStat(index, value);
    }

    /**
     * Updates a custom statistic by name now, from any thread (see {@link #updateStat(int, long)}).
     *
     * @param name the statistic's name
     * @param value value to add (COUNTER) or to compare (MAXIMUM)
     * @throws IllegalArgumentException if there is no custom statistic of that name
     */
    public final void updateStat(String name, long value) {
        step.updateStat(config.getStatIndex(name), value);
    }

    /** Adds one to a statistic directly (not through a batch), e.g. worker_blocked. */
    final void incrementStat(int index) {
        step.incrementStat(index);
    }

    /**
     * Updates a custom statistic for the current batch; only valid while packets are processed (inside the
     * heap-ready hook). The value is combined with the statistic's mode, and merged into the stream's
     * statistics when the batch ends.
     *
     * @param index the statistic's index ({@link StreamConfig#getStatIndex})
     * @param value value to add (COUNTER) or to compare (MAXIMUM)
     * @throws IllegalArgumentException if {@code index} is not a custom statistic
     */
    protected final void updateBatchStat(int index, long value) {
        step.updateBatchStat(index, value);
    }

    /**
     * Starts counting custom statistics updated outside a batch, by a stop's flush (caller holds the lock, and
     * the last batch was merged): {@link #updateBatchStat} then goes to a fresh set, merged by
     * {@link #mergeStopStats()}.
     */
    final void beginStopStats() {
        step.beginStopStats();
    }

    /** Merges the custom statistics updated since {@link #beginStopStats()} (caller holds the lock). */
    final void mergeStopStats() {
        step.mergeStopStats();
    }

    // ------------------------------------------------------------------------------------------------ file readers

    /** Default largest packet accepted by the byte-stream readers (spead2's TCP reader default). */
    public static final int DEFAULT_CHANNEL_MAX_PACKET_SIZE = 65536;

    /**
     * Adds a reader of the UDP datagrams in a capture file (spead2's {@code add_udp_pcap_file_reader}):
     * classic pcap or pcapng, Ethernet or Linux SLL frames, IPv4/UDP without fragments; each payload must
     * decode to exactly its length; at most 64 frames per batch; the end of the file stops the stream.
     *
     * @param file the capture file
     * @throws IOException if the file cannot be opened or is neither pcap nor pcapng
     * @throws IllegalArgumentException if its link type is neither Ethernet nor Linux SLL
     */
    public final void addUdpPcapFileReader(Path file) throws IOException {
        addUdpPcapFileReader(file, "");
    }

    /**
     * Adds a reader of the UDP datagrams in a capture file that also pass a filter (see
     * {@link io.spead4j.net.PacketFilter} for the supported subset of BPF syntax, e.g. {@code "udp port 8888"}).
     *
     * @param file the capture file
     * @param filter the filter ("" for every datagram)
     * @throws IOException if the file cannot be opened or is neither pcap nor pcapng
     * @throws IllegalArgumentException if the filter is not supported, or the link type is neither Ethernet
     *     nor Linux SLL
     */
    public final void addUdpPcapFileReader(Path file, String filter) throws IOException {
        PcapFileReader.addFile(this, file, filter);
    }

    /**
     * Adds a reader of SPEAD packets stored back to back in a byte stream (the receiving side of
     * {@code send.ChannelStream}), framed as spead2's TCP reader frames them: the size of each packet comes
     * from its header, a header without a size skips 8 bytes, packets larger than
     * {@value #DEFAULT_CHANNEL_MAX_PACKET_SIZE} bytes are skipped. The end of the data stops the stream. The
     * reader closes the channel when it ends.
     *
     * @param channel the data
     */
    public final void addChannelReader(ReadableByteChannel channel) {
        addChannelReader(channel, DEFAULT_CHANNEL_MAX_PACKET_SIZE);
    }

    /**
     * Adds a byte-stream reader with a given largest packet size.
     *
     * @param channel the data
     * @param maxPacketSize largest packet accepted, in bytes (the read buffer holds 64 of them)
     * @throws IllegalArgumentException if {@code maxPacketSize} is not in [16, 2^24]
     */
    public final void addChannelReader(ReadableByteChannel channel, int maxPacketSize) {
        ChannelReader.addChannel(this, channel, maxPacketSize);
    }

    /**
     * Adds a byte-stream reader of a file of SPEAD packets back to back (a {@code .spead} file).
     *
     * @param file the file
     * @throws IOException if the file cannot be opened
     */
    public final void addChannelReader(Path file) throws IOException {
        ChannelReader.addFile(this, file);
    }

    /**
     * Adds a byte-stream reader of an input stream (see {@link #addChannelReader(ReadableByteChannel)}); the
     * reader closes the stream when it ends.
     *
     * @param in the data
     */
    public final void addStreamReader(InputStream in) {
        ChannelReader.addInputStream(this, in);
    }

    /** Adds a reader that owns a source, closing the source if the stream has already stopped. */
    void addReaderOwning(Reader reader, AutoCloseable source) {
        boolean added = false;
        try {
            synchronized (readerLock) {
                if (!stopReaders) {
                    addReader(reader);
                    added = true;
                }
            }
        } finally {
            if (!added) {
                try {
                    source.close();
                } catch (Exception e) {
                    LOG.debug("closing the source of an unused reader failed", e);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ readers

    /**
     * Starts the readers added so far; only needed with {@link StreamConfig#explicitStart()}. Idempotent.
     */
    public final void start() {
        synchronized (readerLock) {
            if (!readersStarted) {
                readersStarted = true;
                for (Reader r : readers) {
                    launch(r);
                }
            }
        }
    }

    /**
     * Adds a reader (package SPI for transports). Ignored silently once the stream has stopped.
     *
     * @param reader the reader
     * @throws IllegalStateException with explicit start, if {@link #start()} was already called
     */
    final void addReader(Reader reader) {
        synchronized (readerLock) {
            if (config.explicitStart() && readersStarted) {
                throw new IllegalStateException("cannot add readers after explicit start");
            }
            if (stopReaders) {
                return;
            }
            if (threadPool == null) {
                throw new IllegalStateException("this stream has no thread pool for readers");
            }
            readers.add(reader);
            if (!config.explicitStart()) {
                launch(reader);
            }
        }
    }

    private void launch(Reader reader) {
        reader.launch(threadPool);
    }

    /**
     * Adds a reader that decodes packets stored back to back in memory (spead2's {@code add_buffer_reader}):
     * it advances by each packet's decoded size, stops at the first packet that fails to decode, processes
     * everything as one batch, then stops the stream. The memory is not copied: do not modify it until the
     * stream has stopped.
     *
     * @param data the packets
     */
    public final void addBufferReader(MemorySegment data) {
        BufferReader.add(this, data);
    }

    /**
     * Adds a buffer reader over the buffer's remaining bytes (position and limit are not moved; not copied).
     *
     * @param data the packets
     */
    public final void addBufferReader(ByteBuffer data) {
        addBufferReader(MemorySegment.ofBuffer(data));
    }

    /**
     * Adds a buffer reader over an array (not copied).
     *
     * @param data the packets
     */
    public final void addBufferReader(byte[] data) {
        addBufferReader(MemorySegment.ofArray(data));
    }

    /**
     * Adds a reader of an in-process queue (spead2's {@code add_inproc_reader}): one packet per batch; a
     * packet must decode to exactly its length, else it is dropped (not counted). When the queue is stopped
     * and drained, the stream stops as if it had received a stop item. Several readers (of several streams)
     * may share a queue; each packet then goes to one of them, so only heaps that fit in one packet are
     * reassembled. On a pool with event loops the reader takes no thread: the queue wakes it on one of the
     * pool's loops (see {@link ThreadPool}); otherwise it waits for packets on a thread of its own. The
     * in-process transport is meant for tests: the queue is unbounded (see {@link InprocQueue}).
     *
     * @param queue the queue
     */
    public final void addInprocReader(InprocQueue queue) {
        InprocReader.add(this, queue);
    }

    // ------------------------------------------------------------------------------------ UDP and TCP readers

    /** spead2's default maximum UDP datagram size. */
    public static final int DEFAULT_UDP_MAX_SIZE = 9200;
    /** spead2's default UDP socket receive buffer size (8 MiB). */
    public static final int DEFAULT_UDP_BUFFER_SIZE = 8 * 1024 * 1024;
    /** spead2's default maximum TCP packet size. */
    public static final int DEFAULT_TCP_MAX_SIZE = 65536;
    /** spead2's default TCP socket receive buffer size (208 KiB). */
    public static final int DEFAULT_TCP_BUFFER_SIZE = 208 * 1024;

    /**
     * Adds a UDP reader on a port of every local address, with spead2's defaults (see
     * {@link #addUdpReader(int, int, int, String)}).
     *
     * @param port the port (0 for any free one)
     * @throws IOException if the socket cannot be opened or bound
     */
    public final void addUdpReader(int port) throws IOException {
        addUdpReader(port, DEFAULT_UDP_MAX_SIZE, DEFAULT_UDP_BUFFER_SIZE, "");
    }

    /**
     * Adds a UDP reader on a port of every local address.
     *
     * @param port the port
     * @param maxSize largest datagram accepted
     * @throws IOException if the socket cannot be opened or bound
     */
    public final void addUdpReader(int port, int maxSize) throws IOException {
        addUdpReader(port, maxSize, DEFAULT_UDP_BUFFER_SIZE, "");
    }

    /**
     * Adds a UDP reader on a port of every local address.
     *
     * @param port the port
     * @param maxSize largest datagram accepted
     * @param bufferSize socket receive buffer size (0: system default; a warning is logged if the system
     *     grants less)
     * @throws IOException if the socket cannot be opened or bound
     */
    public final void addUdpReader(int port, int maxSize, int bufferSize) throws IOException {
        addUdpReader(port, maxSize, bufferSize, "");
    }

    /**
     * Adds a UDP reader (spead2's {@code add_udp_reader(port, max_size, buffer_size, bind_hostname)}). Lossy:
     * up to 64 datagrams per batch; a datagram must be 1 to {@code maxSize} bytes and decode to exactly its
     * length, else it is dropped (not counted). Several readers may feed one stream. {@link #stop()} closes
     * the socket. Ignored (no socket opened) once the stream has stopped.
     *
     * <p>The forms that open their own socket use, on Linux x86-64/aarch64, a socket driven through
     * {@code java.lang.foreign} (one {@code recvmmsg} per batch, no copy into the packet step), else NIO's
     * {@code DatagramChannel}; the system property {@code spead4j.udp} ({@code auto}, the default,
     * {@code native} or {@code nio}) chooses, read when the socket is opened, and the choice is logged once.
     *
     * @param port the port
     * @param maxSize largest datagram accepted (at least 1)
     * @param bufferSize socket receive buffer size (0: system default)
     * @param bindHostname local address or host name to bind to; "" for every local address
     * @throws IOException if the name cannot be resolved or the socket cannot be opened or bound
     * @throws IllegalArgumentException on a bad port, size or buffer size
     */
    public final void addUdpReader(int port, int maxSize, int bufferSize, String bindHostname) throws IOException {
        UdpReaders.addBound(this, port, maxSize, bufferSize, bindHostname);
    }

    /**
     * Adds a UDP reader of a socket the caller opened and bound, with the default maximum size.
     *
     * @param channel the socket; the stream owns it from now on and closes it when it stops
     */
    public final void addUdpReader(DatagramChannel channel) {
        addUdpReader(channel, DEFAULT_UDP_MAX_SIZE);
    }

    /**
     * Adds a UDP reader of a socket the caller opened and bound (spead2's {@code add_udp_reader(socket,
     * max_size)}). The reader switches it to non-blocking mode.
     *
     * @param channel the socket; the stream owns it from now on and closes it when it stops
     * @param maxSize largest datagram accepted (at least 1)
     */
    public final void addUdpReader(DatagramChannel channel, int maxSize) {
        UdpReaders.addChannel(this, channel, maxSize);
    }

    /**
     * Adds a UDP reader of an IPv4 multicast group (spead2's {@code add_udp_reader(multicast_group, port,
     * max_size, buffer_size, interface_address)}): the socket is bound to the group and port with address
     * reuse, and joins the group on the interface that has {@code interfaceAddress}. As in spead2, the group
     * may instead be the interface address itself (or the wildcard address, meaning it): then the reader
     * receives unicast on that address.
     *
     * @param multicastGroup an IPv4 multicast address (or the interface address, see above)
     * @param port the port
     * @param maxSize largest datagram accepted
     * @param bufferSize socket receive buffer size (0: system default)
     * @param interfaceAddress address of the interface to join on; the wildcard address (or null) picks an
     *     interface (Java cannot leave the choice to the kernel)
     * @throws IOException if the socket cannot be opened, bound or joined
     * @throws IllegalArgumentException if the group is neither an IPv4 multicast address nor the interface
     *     address, or on a bad argument
     */
    public final void addUdpReader(InetAddress multicastGroup, int port, int maxSize, int bufferSize,
                                   InetAddress interfaceAddress) throws IOException {
        UdpReaders.addIpv4Multicast(this, multicastGroup, port, maxSize, bufferSize, interfaceAddress);
    }

    /**
     * Adds a UDP reader of an IPv6 multicast group (spead2's IPv6 form with {@code interface_index}).
     *
     * @param multicastGroup an IPv6 multicast address
     * @param port the port
     * @param maxSize largest datagram accepted
     * @param bufferSize socket receive buffer size (0: system default)
     * @param interfaceIndex index of the interface to join on; 0 picks an interface
     * @throws IOException if the socket cannot be opened, bound or joined
     * @throws IllegalArgumentException if the group is not an IPv6 multicast address, or on a bad argument
     */
    public final void addUdpReader(InetAddress multicastGroup, int port, int maxSize, int bufferSize,
                                   int interfaceIndex) throws IOException {
        UdpReaders.addIpv6Multicast(this, multicastGroup, port, maxSize, bufferSize, interfaceIndex);
    }

    /**
     * Adds a TCP reader listening on a port of every local address, with spead2's defaults.
     *
     * @param port the port
     * @throws IOException if the socket cannot be opened or bound
     */
    public final void addTcpReader(int port) throws IOException {
        addTcpReader(port, DEFAULT_TCP_MAX_SIZE, DEFAULT_TCP_BUFFER_SIZE, "");
    }

    /**
     * Adds a TCP reader listening on a port of every local address.
     *
     * @param port the port
     * @param maxSize largest packet accepted
     * @throws IOException if the socket cannot be opened or bound
     */
    public final void addTcpReader(int port, int maxSize) throws IOException {
        addTcpReader(port, maxSize, DEFAULT_TCP_BUFFER_SIZE, "");
    }

    /**
     * Adds a TCP reader listening on a port of every local address.
     *
     * @param port the port
     * @param maxSize largest packet accepted
     * @param bufferSize socket receive buffer size (0: system default)
     * @throws IOException if the socket cannot be opened or bound
     */
    public final void addTcpReader(int port, int maxSize, int bufferSize) throws IOException {
        addTcpReader(port, maxSize, bufferSize, "");
    }

    /**
     * Adds a TCP reader (spead2's {@code add_tcp_reader(port, max_size, buffer_size, bind_hostname)}): the
     * socket listens now; the reader accepts <b>one</b> connection and reads packets sent back to back (one
     * batch per socket read). An invalid header skips 8 bytes; a packet larger than {@code maxSize} is
     * skipped; end of file (or a connection error) stops the stream after its live heaps are flushed.
     * Non-lossy. Ignored (no socket opened) once the stream has stopped.
     *
     * @param port the port
     * @param maxSize largest packet accepted (its reader buffers 64 of them)
     * @param bufferSize socket receive buffer size (0: system default)
     * @param bindHostname local address or host name to listen on; "" for every local address
     * @throws IOException if the name cannot be resolved or the socket cannot be opened or bound
     * @throws IllegalArgumentException on a bad port, size or buffer size
     */
    public final void addTcpReader(int port, int maxSize, int bufferSize, String bindHostname) throws IOException {
        TcpReader.addListening(this, port, maxSize, bufferSize, bindHostname);
    }

    /**
     * Adds a TCP reader that accepts one connection on a listening socket, with the default maximum size.
     *
     * @param acceptor a bound, listening socket; the stream owns it and closes it after the one accept
     */
    public final void addTcpReader(ServerSocketChannel acceptor) {
        addTcpReader(acceptor, DEFAULT_TCP_MAX_SIZE);
    }

    /**
     * Adds a TCP reader that accepts one connection on a listening socket (spead2's {@code
     * add_tcp_reader(acceptor, max_size)}).
     *
     * @param acceptor a bound, listening socket; the stream owns it and closes it after the one accept
     * @param maxSize largest packet accepted
     */
    public final void addTcpReader(ServerSocketChannel acceptor, int maxSize) {
        TcpReader.addAcceptor(this, acceptor, maxSize);
    }

    /**
     * Adds a TCP reader of a connection already accepted (or connected), with the default maximum size.
     *
     * @param connection the connection; the stream owns it and closes it when it stops
     */
    public final void addTcpReader(SocketChannel connection) {
        addTcpReader(connection, DEFAULT_TCP_MAX_SIZE);
    }

    /**
     * Adds a TCP reader of a connection already accepted (or connected); the reader puts it in blocking mode.
     *
     * @param connection the connection; the stream owns it and closes it when it stops
     * @param maxSize largest packet accepted
     */
    public final void addTcpReader(SocketChannel connection, int maxSize) {
        TcpReader.addConnection(this, connection, maxSize);
    }

    /** Adds a reader that owns a socket; closes the socket if the reader is refused or the stream stopped. */
    void addOwnedReader(Reader reader, Channel socket) {
        try {
            addReader(reader);
        } catch (RuntimeException e) {
            closeSocket(socket);
            throw e;
        }
        synchronized (readerLock) {
            if (readers.contains(reader)) {
                if (socket instanceof NetworkChannel || socket instanceof NativeUdpSocket) {
                    sockets.add(socket);
                }
            } else if (stopReaders) {
                closeSocket(socket);
            }
        }
    }

    /**
     * The local addresses of this stream's socket readers (UDP sockets, TCP listeners and connections), in
     * the order the readers were added: the way to learn the port the system chose for a reader added with
     * port 0. Sockets already closed (the stream stopped) are left out.
     *
     * @return the addresses the readers' sockets are bound to
     */
    public final List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        synchronized (readerLock) {
            for (Channel socket : sockets) {
                try {
                    if (socket instanceof NativeUdpSocket s) {
                        out.add(s.localAddress());
                    } else if (((NetworkChannel) socket).getLocalAddress() instanceof InetSocketAddress address) {
                        out.add(address);
                    }
                } catch (IOException closed) {
                    // closed since: the stream stopped
                }
            }
        }
        return List.copyOf(out);
    }

    private static void closeSocket(Channel socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the socket of a reader that will not run failed", e);
        }
    }
}
