package io.spead4j.recv;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** spead2's memory reader: packets back to back in one segment, one batch, then the stream stops. */
final class BufferReader extends Reader {
    private final MemorySegment data;

    BufferReader(StreamBase stream, MemorySegment data) {
        super(stream);
        this.data = data;
    }

    @Override
    void readLoop() {
        Batch b = stream.beginBatch(batch);
        try {
            long position = 0;
            long length = data.byteSize();
            while (position < length && !b.isStopped()) {
                long size = stream.addPacket(b, data, position, length - position, false);
                if (size == 0) {
                    break;
                }
                position += size;
            }
            b.stop();
        } finally {
            stream.endBatch(b);
        }
    }

    @Override
    public String toString() {
        return "BufferReader(" + data.byteSize() + " bytes)";
    }

    /**
     * Adds a buffer reader to a stream ({@link StreamBase#addBufferReader(MemorySegment)}).
     *
     * @param stream the stream
     * @param data the packets (not copied)
     */
    static void add(StreamBase stream, MemorySegment data) {
        stream.addReader(new BufferReader(stream, Objects.requireNonNull(data, "data")));
    }
}
