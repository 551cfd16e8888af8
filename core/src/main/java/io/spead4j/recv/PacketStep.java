package io.spead4j.recv;

import io.spead4j.wire.PacketDecoder;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packet step of a receive stream, spead2's {@code stream::add_packet} and {@code flush}
 * (SPEAD2-BEHAVIOUR.md §2.2, §2.6, §2.7): it keeps {@code substreams × maxHeaps} slots of live heaps (a ring
 * per substream, a hash of heap cnts to find a packet's heap), offers each decoded packet to its live heap,
 * evicts the oldest heap of a substream when a new heap needs its slot, detects the stop item, flushes, and
 * keeps the statistics these steps update. It is the same for every stream kind: what differs is only the
 * "place and hand off" end, which it reaches through a {@link HeapSink}: a ring stream creates heaps in
 * allocator memory and hands them off by freezing them into its ring; a chunk stream creates them over chunk
 * memory and hands them off by marking their presence in the chunk.
 *
 * <p>Not thread-safe: every method but the statistics accessors is called with the owning stream's lock held
 * (for a whole reader batch). The statistics accessors may be called from any thread. Nothing is allocated
 * per packet.
 */
final class PacketStep {
    /**
     * The owner's end of the packet step: where a heap's payload goes when its first packet arrives, and
     * where a heap goes when it leaves the live set. Called with the stream's lock held, from the thread that
     * runs the packet step.
     */
    interface HeapSink {
        /**
         * Creates the live heap for the first packet of a heap that is not live. The packet is fully decoded:
         * its cnt, heap length, payload offset and length, and its item pointers (immediate values included,
         * {@link PacketDecoder#pointer(int)}) may be read, but not kept after the call. The heap's slot has
         * already been taken (the heap that held it, if any, was evicted first, as in spead2).
         *
         * <p>Returning null rejects the heap: the packet is dropped (it stays counted in {@code packets}), the
         * slot stays empty, and counting the rejection is the sink's business (e.g. a chunk stream's
         * "too old" heaps). A later packet of the same heap asks again.
         *
         * @param firstPacket the decoded packet that starts the heap
         * @return a new live heap of {@code firstPacket.heapCnt()}, or null to drop the packet
         */
        LiveHeap createLiveHeap(PacketDecoder firstPacket);

        /**
         * Takes a heap that left the live set: complete, evicted or flushed (never a complete heap that
         * carries the stop that ends the stream: the step releases that one itself). The sink owns the heap
         * from now on and must hand it on or {@link LiveHeap#release()} it.
         *
         * @param heap the heap
         */
        void heapReady(LiveHeap heap);

        /**
         * Told that {@link #heapReady} threw while a stop flushed the live heaps: the flush goes on with the
         * next heap, so the stop completes; the sink records or logs the failure.
         *
         * @param heapCnt the cnt of the heap whose hand-off failed
         * @param failure what {@link #heapReady} threw
         */
        void stopFlushFailed(long heapCnt, Throwable failure);
    }

    private static final long FIBONACCI = 0x9E3779B97F4A7C15L;
    private static final DropReason[] REASONS = DropReason.values();

    private final HeapSink sink;
    private final List<StreamStatConfig> statConfig;
    private final int maxHeaps;
    private final int substreamCount;
    private final long maxHeapSize;
    private final boolean allowOutOfOrder;
    private final boolean allowUnsized;
    private final boolean stopOnStopItem;
    /** Decoder leniency for datagrams, and for byte streams (no payload length from the datagram). */
    private final int datagramLeniency;
    private final int streamLeniency;
    /** Live heaps are keyed by (source, cnt) ({@link StreamConfig#heapsPerSource()}). */
    private final boolean perSource;

    private final LiveHeap[] slots;
    private final int[] chainNext;
    private final int[] buckets;
    private final int bucketShift;
    private final int[] heads;
    private boolean stopped;

    private final Object statsLock = new Object();
    private final long[] stats;
    private final long[] batchStats;
    private final AtomicLong oversized = new AtomicLong();
    /** Discarded packets and heaps by {@link DropReason} ordinal (guarded by {@link #statsLock}). */
    private final long[] drops = new long[REASONS.length];
    /** The drops already reported by the periodic JFR event (guarded by {@link #statsLock}). */
    private final long[] dropsReported = new long[REASONS.length];
    private final String name;

    /**
     * Creates the packet step of a stream.
     *
     * @param config the stream's configuration (heap slots, substreams, size cap, order, stop item, stats)
     * @param sink the owner's place-and-hand-off end
     */
    PacketStep(StreamConfig config, HeapSink sink) {
        this(config, sink, "packet-step");
    }

    /**
     * Creates the packet step of a stream that reports to monitoring (JFR events) under a name.
     *
     * @param config the stream's configuration (heap slots, substreams, size cap, order, stop item, stats)
     * @param sink the owner's place-and-hand-off end
     * @param name the stream's name in monitoring
     */
    PacketStep(StreamConfig config, HeapSink sink, String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.statConfig = config.stats();
        this.maxHeaps = config.maxHeaps();
        this.substreamCount = config.substreams();
        this.maxHeapSize = config.maxHeapSize();
        this.allowOutOfOrder = config.allowOutOfOrder();
        this.allowUnsized = config.allowUnsizedHeaps();
        this.stopOnStopItem = config.stopOnStopItem();
        this.datagramLeniency = config.decoderLeniency();
        this.streamLeniency = datagramLeniency & ~PacketDecoder.PAYLOAD_LENGTH_FROM_DATAGRAM;
        this.perSource = config.heapsPerSource();
        int total = maxHeaps * substreamCount;
        this.slots = new LiveHeap[total];
        this.chainNext = new int[total];
        int bucketCount = 4;
        while (bucketCount < total) {
            bucketCount *= 2;
        }
        bucketCount *= 4;
        this.buckets = new int[bucketCount];
        Arrays.fill(buckets, -1);
        this.bucketShift = 64 - Integer.numberOfTrailingZeros(bucketCount);
        this.heads = new int[substreamCount];
        for (int s = 0; s < substreamCount; s++) {
            heads[s] = s * maxHeaps;
        }
        this.stats = new long[statConfig.size()];
        this.batchStats = new long[statConfig.size()];
        ReceiveEvents.register(this);
    }

    // ------------------------------------------------------------------------------------------------ batches

    /**
     * Resets a batch (and the batch's custom statistics) at its start.
     *
     * @param batch the reader's batch
     */
    void beginBatch(Batch batch) {
        batch.reset(stopped);
        Arrays.fill(batchStats, 0);
    }

    /**
     * Merges a batch's counters into the statistics (spead2's {@code add_packet_state} destructor).
     *
     * @param batch the batch
     */
    void mergeBatch(Batch batch) {
        synchronized (statsLock) {
            stats[StreamConfig.STAT_PACKETS] += batch.packets;
            stats[StreamConfig.STAT_BATCHES]++;
            stats[StreamConfig.STAT_HEAPS] += batch.completeHeaps + batch.evicted;
            stats[StreamConfig.STAT_INCOMPLETE_HEAPS_EVICTED] += batch.evicted;
            stats[StreamConfig.STAT_SINGLE_PACKET_HEAPS] += batch.singlePacketHeaps;
            stats[StreamConfig.STAT_SEARCH_DIST] += batch.searchDist;
            stats[StreamConfig.STAT_MAX_BATCH] = Math.max(stats[StreamConfig.STAT_MAX_BATCH], batch.packets);
            for (int i = StreamConfig.STAT_CUSTOM; i < stats.length; i++) {
                stats[i] = statConfig.get(i).mode().combine(stats[i], batchStats[i]);
            }
            long[] batchDrops = batch.drops;
            for (int i = 0; i < batchDrops.length; i++) {
                drops[i] += batchDrops[i];
            }
            drops[DropReason.EVICTED_INCOMPLETE.ordinal()] += batch.evicted;
        }
    }

    /**
     * Decodes one packet and offers it to the step. Packets that fail to decode are dropped (debug log) and
     * not counted.
     *
     * @param batch the current batch (must not be stopped)
     * @param segment memory holding the packet
     * @param offset offset of the packet
     * @param length bytes available from {@code offset}
     * @param requireExactSize if true the packet must decode to exactly {@code length} bytes
     * @return the decoded packet size, or 0 if it did not decode (or its size did not match)
     */
    long addPacket(Batch batch, MemorySegment segment, long offset, long length, boolean requireExactSize) {
        PacketDecoder decoder = batch.decoder;
        long size = decoder.decode(segment, offset, length, requireExactSize ? datagramLeniency : streamLeniency);
        if (size == 0) {
            batch.drop(DropReason.of(decoder.status()));
            batch.rejects.reject(decoder.status().message());
            return 0;
        }
        if (requireExactSize && size != length) {
            batch.drop(DropReason.LENGTH_MISMATCH);
            if (batch.rejects.next()) {
                batch.rejects.detail("packet decodes to " + size + " bytes but " + length + " were received");
            }
            return 0;
        }
        processPacket(batch, decoder);
        return size;
    }

    /**
     * The packet step (SPEAD2-BEHAVIOUR.md §2.2), for a packet that decoded.
     *
     * @param batch the current batch
     * @param p the decoded packet
     * @return true if the packet was accepted by a live heap
     */
    boolean processPacket(Batch batch, PacketDecoder p) {
        if (stopped) {
            // only possible if a heap-ready hook stopped the stream from inside this batch
            batch.stop();
            return false;
        }
        batch.packets++;
        long heapLength = p.heapLength();
        if (heapLength < 0 && !allowUnsized) {
            batch.drop(DropReason.MISSING_ITEMS);
            batch.rejects.reject("no HEAP_LENGTH and unsized heaps are not allowed");
            return false;
        }
        if (heapLength > maxHeapSize || (heapLength < 0 && p.payloadOffset() + p.payloadLength() > maxHeapSize)) {
            oversized.incrementAndGet();
            batch.drop(DropReason.OVERSIZED_HEAP);
            if (batch.rejects.next()) {
                batch.rejects.detail("heap " + p.heapCnt() + " larger than maxHeapSize " + maxHeapSize);
            }
            return false;
        }
        long cnt = p.heapCnt();
        long source = perSource ? batch.source : PacketSource.UNKNOWN;
        int bucket = bucket(cnt, source);
        int slot = -1;
        if (heapLength >= 0 && p.payloadLength() == heapLength) {
            batch.singlePacketHeaps++;
        } else {
            int dist = 1;
            for (int e = buckets[bucket]; e >= 0; e = chainNext[e], dist++) {
                if (slots[e].cnt() == cnt && (!perSource || slots[e].sourceKey() == source)) {
                    slot = e;
                    break;
                }
            }
            batch.searchDist += dist;
        }
        boolean fresh = false;
        if (slot < 0) {
            if (!allowOutOfOrder && p.payloadOffset() != 0) {
                batch.drop(DropReason.OUT_OF_ORDER);
                batch.rejects.reject("a gap in the heap and allowOutOfOrder is false");
                return false;
            }
            int substream = (int) Long.remainderUnsigned(cnt, substreamCount);
            int start = substream * maxHeaps;
            int head = heads[substream] + 1;
            if (head == start + maxHeaps) {
                head = start;
            }
            heads[substream] = head;
            slot = head;
            LiveHeap old = slots[slot];
            if (old != null) {
                batch.evicted++;
                if (ReceiveEvents.heapIncompleteEnabled()) {
                    ReceiveEvents.heapIncomplete(name, old, "evicted");
                }
                unlink(slot);
                sink.heapReady(old);
            }
            LiveHeap created = sink.createLiveHeap(p);
            if (created == null) {
                return false; // the sink rejected the heap (and counts it)
            }
            created.source(batch.source, batch.sources);
            slots[slot] = created;
            chainNext[slot] = buckets[bucket];
            buckets[bucket] = slot;
            fresh = true;
        }
        LiveHeap heap = slots[slot];
        int result;
        try {
            result = heap.addPacket(p, allowOutOfOrder, maxHeapSize);
        } catch (Throwable t) {
            // e.g. an Error from a user allocator: a heap that never accepted a packet must not be flushed
            if (fresh) {
                unlink(slot);
                heap.release();
            }
            throw t;
        }
        boolean endOfStream = false;
        if (result == LiveHeap.ACCEPTED) {
            endOfStream = stopOnStopItem && heap.isEndOfStream();
            if (heap.isComplete()) {
                unlink(slot);
                if (!endOfStream) {
                    batch.completeHeaps++;
                    sink.heapReady(heap);
                } else {
                    heap.release();
                }
            }
        } else if (result == LiveHeap.OVERSIZED) {
            oversized.incrementAndGet();
            batch.drop(DropReason.OVERSIZED_HEAP);
            if (batch.rejects.next()) {
                batch.rejects.detail("heap " + cnt + " would exceed maxHeapSize or memory is exhausted");
            }
            if (fresh) {
                unlink(slot);
                heap.release();
            }
        } else {
            batch.drop(result == LiveHeap.REJECTED_DUPLICATE ? DropReason.DUPLICATE
                    : result == LiveHeap.REJECTED_GAP ? DropReason.OUT_OF_ORDER : DropReason.INCONSISTENT);
        }
        if (endOfStream) {
            batch.stop();
        }
        return result == LiveHeap.ACCEPTED;
    }

    /** The hash bucket of a heap: of its cnt alone, as before, unless heaps are keyed per source. */
    private int bucket(long cnt, long source) {
        long key = perSource ? cnt ^ (source * 0xC2B2AE3D27D4EB4FL) : cnt;
        return (int) ((key * FIBONACCI) >>> bucketShift);
    }

    private void unlink(int slot) {
        LiveHeap heap = slots[slot];
        int bucket = bucket(heap.cnt(), perSource ? heap.sourceKey() : PacketSource.UNKNOWN);
        if (buckets[bucket] == slot) {
            buckets[bucket] = chainNext[slot];
        } else {
            int e = buckets[bucket];
            while (chainNext[e] != slot) {
                e = chainNext[e];
            }
            chainNext[e] = chainNext[slot];
        }
        chainNext[slot] = -1;
        slots[slot] = null;
    }

    /**
     * Hands every live heap to the sink, substream by substream, oldest first (SPEAD2-BEHAVIOUR.md §2.7), and
     * counts them as flushed.
     *
     * @param survive if true (a stop), a heap whose hand-off throws is reported to
     *     {@link HeapSink#stopFlushFailed} and the flush goes on with the next; otherwise the throwable
     *     propagates
     */
    void flush(boolean survive) {
        long flushed = 0;
        for (int s = 0; s < substreamCount; s++) {
            int start = s * maxHeaps;
            for (int j = 0; j < maxHeaps; j++) {
                int head = heads[s] + 1;
                if (head == start + maxHeaps) {
                    head = start;
                }
                heads[s] = head;
                LiveHeap heap = slots[head];
                if (heap != null) {
                    flushed++;
                    if (ReceiveEvents.heapIncompleteEnabled()) {
                        ReceiveEvents.heapIncomplete(name, heap, "flushed");
                    }
                    unlink(head);
                    if (!survive) {
                        sink.heapReady(heap);
                        continue;
                    }
                    try {
                        sink.heapReady(heap);
                    } catch (Throwable t) {
                        sink.stopFlushFailed(heap.cnt(), t);
                    }
                }
            }
        }
        synchronized (statsLock) {
            stats[StreamConfig.STAT_HEAPS] += flushed;
            stats[StreamConfig.STAT_INCOMPLETE_HEAPS_FLUSHED] += flushed;
            drops[DropReason.FLUSHED_INCOMPLETE.ordinal()] += flushed;
        }
    }

    /** {@return true once {@link #markStopped()} was called: packets are no longer processed} */
    boolean isStopped() {
        return stopped;
    }

    /**
     * Marks the step stopped (the stream stops: stop item, end of source, user stop).
     *
     * @return false if it was already stopped
     */
    boolean markStopped() {
        if (stopped) {
            return false;
        }
        stopped = true;
        return true;
    }

    // ------------------------------------------------------------------------------------------------ stats

    /** {@return a snapshot of the statistics (core ones in spead2's order, then custom ones)} */
    StreamStats stats() {
        synchronized (statsLock) {
            return new StreamStats(statConfig, stats);
        }
    }

    /** {@return a snapshot of the drop reasons' counts} */
    DropCounts drops() {
        synchronized (statsLock) {
            return new DropCounts(drops);
        }
    }

    /**
     * Counts discarded packets or heaps directly (not through a batch): from any thread.
     *
     * @param reason why
     * @param count how many
     */
    void countDrops(DropReason reason, long count) {
        synchronized (statsLock) {
            drops[reason.ordinal()] += count;
        }
    }

    /** Commits one periodic JFR event per reason whose count grew since the last period. */
    void reportDropsSinceLastPeriod() {
        long[] delta = new long[REASONS.length];
        synchronized (statsLock) {
            for (int i = 0; i < delta.length; i++) {
                delta[i] = drops[i] - dropsReported[i];
                dropsReported[i] = drops[i];
            }
        }
        for (int i = 0; i < delta.length; i++) {
            if (delta[i] != 0) {
                ReceiveEvents.commitRejected(name, REASONS[i], delta[i]);
            }
        }
    }

    /**
     * Combines a value into a custom statistic now (not through a batch): from any thread, e.g. a ring
     * stream's consumer.
     *
     * @param index the statistic's index
     * @param value value to add (COUNTER) or to compare (MAXIMUM)
     * @throws IllegalArgumentException if {@code index} is not a custom statistic
     */
    void updateStat(int index, long value) {
        if (index < StreamConfig.STAT_CUSTOM || index >= stats.length) {
            throw new IllegalArgumentException("not a custom statistic index: " + index);
        }
        synchronized (statsLock) {
            stats[index] = statConfig.get(index).mode().combine(stats[index], value);
        }
    }

    /** {@return packets rejected because their heap would exceed the size cap (or memory was exhausted)} */
    long oversizedPackets() {
        return oversized.get();
    }

    /** Adds one to a statistic directly (not through a batch), e.g. worker_blocked. @param index its index */
    void incrementStat(int index) {
        synchronized (statsLock) {
            stats[index]++;
        }
    }

    /** Clears the custom statistics of the last (merged) batch, for updates made by a stop's flush. */
    void beginStopStats() {
        Arrays.fill(batchStats, 0);
    }

    /** Merges the custom statistics updated since {@link #beginStopStats()} into the stream's. */
    void mergeStopStats() {
        synchronized (statsLock) {
            for (int i = StreamConfig.STAT_CUSTOM; i < stats.length; i++) {
                stats[i] = statConfig.get(i).mode().combine(stats[i], batchStats[i]);
            }
        }
        Arrays.fill(batchStats, 0);
    }

    /**
     * Combines a value into a custom statistic of the current batch.
     *
     * @param index the statistic's index
     * @param value value to add (COUNTER) or to compare (MAXIMUM)
     * @throws IllegalArgumentException if {@code index} is not a custom statistic
     */
    void updateBatchStat(int index, long value) {
        if (index < StreamConfig.STAT_CUSTOM || index >= batchStats.length) {
            throw new IllegalArgumentException("not a custom statistic index: " + index);
        }
        batchStats[index] = statConfig.get(index).mode().combine(batchStats[index], value);
    }
}
