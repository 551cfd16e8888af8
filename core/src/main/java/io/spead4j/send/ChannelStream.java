package io.spead4j.send;

import io.spead4j.ThreadPool;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A send stream writing its packets back to back onto a {@link WritableByteChannel} or an
 * {@link OutputStream}, spead2's {@code streambuf_stream}. One substream. An output stream is flushed after
 * each batch, so after {@link #flush()} the data has been handed on; the destination is not closed by
 * {@link #close()}.
 *
 * <p>Each batch of packets is written with as few calls as possible. If a write fails, the packets not yet
 * fully written when it failed are reported failed (for an {@code OutputStream}, the whole batch, as how
 * much was written is unknown); their heaps complete with that {@link IOException}. A channel that accepts
 * no bytes (a non-blocking channel whose buffer is full) counts as a failure: use blocking channels.
 */
public final class ChannelStream extends Stream {
    private final WritableByteChannel channel;
    private final OutputStream output;
    private byte[] scratch;

    /**
     * Creates a stream onto a channel.
     *
     * @param threadPool pool providing the writer thread
     * @param channel the destination (blocking mode)
     * @param config the configuration
     */
    public ChannelStream(ThreadPool threadPool, WritableByteChannel channel, StreamConfig config) {
        super(threadPool, config, 1);
        this.channel = Objects.requireNonNull(channel, "channel");
        this.output = null;
    }

    /**
     * Creates a stream onto an output stream.
     *
     * @param threadPool pool providing the writer thread
     * @param output the destination
     * @param config the configuration
     */
    public ChannelStream(ThreadPool threadPool, OutputStream output, StreamConfig config) {
        super(threadPool, config, 1);
        this.channel = null;
        this.output = Objects.requireNonNull(output, "output");
    }

    @Override
    protected void writePackets(PacketBatch batch) {
        int n = batch.bytes();
        if (output != null) {
            if (scratch == null || scratch.length < n) {
                scratch = new byte[(int) batch.segment().byteSize()];
            }
            MemorySegment.copy(batch.segment(), ValueLayout.JAVA_BYTE, 0, scratch, 0, n);
            try {
                output.write(scratch, 0, n);
                output.flush();
            } catch (IOException e) {
                for (int i = 0; i < batch.size(); i++) {
                    batch.fail(i, e);
                }
            }
            return;
        }
        ByteBuffer view = batch.buffer();
        view.limit(n).position(0);
        try {
            while (view.hasRemaining()) {
                if (channel.write(view) == 0) {
                    throw new IOException("channel accepted no bytes (is it in non-blocking mode?)");
                }
            }
        } catch (IOException e) {
            int done = view.position();
            for (int i = 0; i < batch.size(); i++) {
                if (batch.offset(i) + batch.length(i) > done) {
                    batch.fail(i, e);
                }
            }
        }
    }
}
