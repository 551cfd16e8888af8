package io.spead4j.recv;

import io.spead4j.net.RejectLog;
import io.spead4j.wire.PacketDecoder;
import org.slf4j.LoggerFactory;

/**
 * The state of one reader batch, spead2's {@code add_packet_state}: the reader's reusable packet decoder,
 * the batch's counters (merged into the stream's statistics when the batch ends) and whether the stream
 * must stop at the end of the batch. Owned by one reader; used only between
 * {@link StreamBase#beginBatch} and {@link StreamBase#endBatch}.
 */
final class Batch {
    final PacketDecoder decoder = new PacketDecoder();
    /** The reader's rate-limited log of rejected packets (its first few at debug, then only counted). */
    final RejectLog rejects = new RejectLog(LoggerFactory.getLogger(StreamBase.class), "stream reader");
    /**
     * Where the next packet comes from ({@link PacketSource}): set by readers that know it before they offer
     * each packet; {@link PacketSource#UNKNOWN} otherwise.
     */
    long source = PacketSource.UNKNOWN;
    /** The reader's table of non-IPv4 sources, or null. */
    PacketSource.Table sources;
    long packets;
    long completeHeaps;
    long evicted;
    long singlePacketHeaps;
    long searchDist;
    /** Packets and heaps discarded in this batch, by {@link DropReason} ordinal. */
    final long[] drops = new long[DropReason.values().length];
    /** The stream had already stopped when the batch began: nothing is processed or counted. */
    boolean streamWasStopped;
    /** The stream stops when the batch ends (stop item, end of source). */
    boolean stopped;

    void reset(boolean streamStopped) {
        packets = 0;
        completeHeaps = 0;
        evicted = 0;
        singlePacketHeaps = 0;
        searchDist = 0;
        java.util.Arrays.fill(drops, 0);
        streamWasStopped = streamStopped;
        stopped = streamStopped;
    }

    /** {@return true if no more packets may be added in this batch} */
    boolean isStopped() {
        return stopped;
    }

    /** Counts a packet or heap discarded in this batch. @param reason why */
    void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    /** Counts packets or heaps discarded in this batch. @param reason why @param count how many */
    void drop(DropReason reason, long count) {
        drops[reason.ordinal()] += count;
    }

    /**
     * Drops a datagram longer than its reader's largest packet (the socket truncated it): counted as
     * {@link DropReason#LENGTH_MISMATCH} and in the reject log (spead2's "dropped packet due to truncation").
     */
    void dropTruncatedDatagram() {
        drop(DropReason.LENGTH_MISMATCH);
        rejects.reject("dropped packet due to truncation (datagram longer than maxSize)");
    }

    /** Marks that the source ended: the stream stops when the batch ends. */
    void stop() {
        stopped = true;
    }
}
