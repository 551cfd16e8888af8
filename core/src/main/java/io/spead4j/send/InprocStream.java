package io.spead4j.send;

import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;

import java.io.IOException;
import java.util.List;

/**
 * A send stream into in-process queues, spead2's {@code send::InprocStream}: substream {@code i} is
 * {@code queues.get(i)}. Each packet is copied into memory owned by its queue.
 *
 * <p><strong>Meant for tests.</strong> An {@link InprocQueue} is unbounded: a sender that outpaces its
 * receivers (or has none) makes it grow until memory runs out. When several receive streams read one queue,
 * each packet goes to only one of them, so only heaps that fit in a single packet are reassembled.
 *
 * <p>Although the queue itself is reliable and unbounded, the stream still allows at most
 * {@link StreamConfig#maxHeaps()} heaps in flight: heaps sent in parallel beyond that (asynchronous sends
 * issued faster than they complete, or several threads sending at once) are dropped, and their future fails
 * at once with a {@link QueueFullException} (a blocking send throws it); nothing of such a heap is queued and
 * it consumes no heap counter. A single thread calling the blocking {@link #sendHeap(Heap)} never hits this.
 *
 * <p>Adding to a stopped queue loses that packet and its heap completes with an "operation aborted"
 * {@link IOException}.
 *
 * <pre>{@code
 * InprocQueue queue = new InprocQueue();
 * try (var sender = new InprocStream(pool, List.of(queue), new StreamConfig())) {
 *     sender.sendHeap(itemGroup.getHeap());
 *     sender.sendHeap(itemGroup.getEnd());
 * }
 * queue.stop();
 * var receiver = new io.spead4j.recv.Stream(pool);
 * receiver.addInprocReader(queue);   // data sent earlier is all there
 * }</pre>
 */
public final class InprocStream extends Stream {
    private final List<InprocQueue> queues;

    /**
     * Creates the stream.
     *
     * @param threadPool pool providing the writer thread
     * @param queues one queue per substream, at least one
     * @param config the configuration
     * @throws IllegalArgumentException if {@code queues} is empty
     */
    public InprocStream(ThreadPool threadPool, List<InprocQueue> queues, StreamConfig config) {
        super(threadPool, config, checkedSize(queues));
        this.queues = List.copyOf(queues);
    }

    private static int checkedSize(List<InprocQueue> queues) {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("queues is empty");
        }
        return queues.size();
    }

    /** {@return the queues, one per substream} */
    public List<InprocQueue> queues() {
        return queues;
    }

    @Override
    protected void writePackets(PacketBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            try {
                queues.get(batch.substreamIndex(i)).addPacket(batch.segment(), batch.offset(i), batch.length(i));
            } catch (IllegalStateException e) {
                batch.fail(i, new IOException("operation aborted: " + e.getMessage(), e));
            }
        }
    }
}
