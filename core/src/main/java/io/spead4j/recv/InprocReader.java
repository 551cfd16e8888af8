package io.spead4j.recv;

import io.spead4j.InprocQueue;

import java.util.Objects;

/** spead2's inproc reader: one queued packet per batch; a stopped, drained queue stops the stream. */
final class InprocReader extends Reader {
    private final InprocQueue queue;
    private final InprocQueue.Packet packet = new InprocQueue.Packet();

    InprocReader(StreamBase stream, InprocQueue queue) {
        super(stream);
        this.queue = queue;
    }

    @Override
    void readLoop() throws InterruptedException {
        while (!isStopRequested()) {
            boolean got = queue.pop(packet);
            Batch b = stream.beginBatch(batch);
            try {
                if (!b.isStopped()) {
                    if (!got) {
                        b.stop();
                    } else {
                        stream.addPacket(b, packet.segment(), packet.offset(), packet.length(), true);
                    }
                }
            } finally {
                stream.endBatch(b);
            }
            if (b.isStopped()) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "InprocReader(" + queue + ")";
    }

    /**
     * Adds an in-process reader to a stream ({@link StreamBase#addInprocReader}).
     *
     * @param stream the stream
     * @param queue the queue
     */
    static void add(StreamBase stream, InprocQueue queue) {
        stream.addReader(new InprocReader(stream, Objects.requireNonNull(queue, "queue")));
    }
}
