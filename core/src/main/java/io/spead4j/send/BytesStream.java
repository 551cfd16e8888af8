package io.spead4j.send;

import io.spead4j.ThreadPool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A send stream that collects its packets in memory, back to back, spead2's {@code BytesStream}. Useful for
 * tests and for writing SPEAD to files; the bytes are what a buffer reader or TCP reader consumes.
 * One substream.
 */
public final class BytesStream extends Stream {
    private final Object bufferLock = new Object();
    private byte[] buffer = new byte[4096];
    private int length;

    /**
     * Creates the stream.
     *
     * @param threadPool pool providing the writer thread
     * @param config the configuration
     */
    public BytesStream(ThreadPool threadPool, StreamConfig config) {
        super(threadPool, config, 1);
    }

    /**
     * Creates the stream with the default configuration.
     *
     * @param threadPool pool providing the writer thread
     */
    public BytesStream(ThreadPool threadPool) {
        this(threadPool, StreamConfig.DEFAULT);
    }

    @Override
    protected void writePackets(PacketBatch batch) {
        int n = batch.bytes();
        synchronized (bufferLock) {
            if (buffer.length - length < n) {
                long wanted = Math.max((long) buffer.length * 2, (long) length + n);
                if (wanted > Integer.MAX_VALUE - 8) {
                    wanted = (long) length + n;
                }
                if (wanted > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("BytesStream cannot hold more than 2 GiB");
                }
                buffer = Arrays.copyOf(buffer, (int) wanted);
            }
            MemorySegment.copy(batch.segment(), ValueLayout.JAVA_BYTE, 0, buffer, length, n);
            length += n;
        }
    }

    /** {@return a copy of every packet sent so far, back to back (spead2's {@code getvalue()})} */
    public byte[] getValue() {
        synchronized (bufferLock) {
            return Arrays.copyOf(buffer, length);
        }
    }

    /** {@return the number of bytes sent so far} */
    public int size() {
        synchronized (bufferLock) {
            return length;
        }
    }
}
