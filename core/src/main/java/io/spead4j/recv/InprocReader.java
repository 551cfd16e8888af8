package io.spead4j.recv;

import io.spead4j.InprocQueue;

import java.lang.foreign.MemorySegment;

/** spead2's inproc reader: one queued packet per batch; a stopped, drained queue stops the stream. */
final class InprocReader extends Reader {
    private final InprocQueue queue;

    InprocReader(StreamBase stream, InprocQueue queue) {
        super(stream);
        this.queue = queue;
    }

    @Override
    void readLoop() throws InterruptedException {
        while (!isStopRequested()) {
            byte[] packet = queue.pop();
            Batch b = stream.beginBatch(batch);
            try {
                if (!b.isStopped()) {
                    if (packet == null) {
                        b.stop();
                    } else {
                        stream.addPacket(b, MemorySegment.ofArray(packet), 0, packet.length, true);
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
}
