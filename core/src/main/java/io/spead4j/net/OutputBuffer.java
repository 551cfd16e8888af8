package io.spead4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** A growable direct write buffer in front of a channel, shared by the capture writers. */
final class OutputBuffer implements AutoCloseable {
    private final WritableByteChannel channel;
    private ByteBuffer buffer;
    private MemorySegment segment;
    private int used;
    private boolean closed;

    OutputBuffer(WritableByteChannel channel, int capacity) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(capacity);
        this.segment = MemorySegment.ofBuffer(buffer);
    }

    /** Makes room for n bytes and returns the offset in {@link #segment()} where they go. */
    int reserve(int n) throws IOException {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        if (buffer.capacity() - used < n) {
            flush();
            if (buffer.capacity() < n) {
                buffer = ByteBuffer.allocateDirect(n);
                segment = MemorySegment.ofBuffer(buffer);
            }
        }
        return used;
    }

    /** Marks n bytes after the last reserve as written. */
    void commit(int n) {
        used += n;
    }

    MemorySegment segment() {
        return segment;
    }

    void flush() throws IOException {
        buffer.limit(used).position(0);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
        used = 0;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            channel.close();
        }
    }
}
