package io.spead4j.recv;

import io.spead4j.net.RejectLog;
import io.spead4j.wire.PacketDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A byte-stream reader, the receiving counterpart of {@code send.ChannelStream}: SPEAD packets back to back
 * in a channel (file, pipe, socket), framed as spead2's TCP reader frames them. Each packet's size comes from
 * its header ({@link PacketDecoder#packetSize}); a header that gives no size skips 8 bytes, a packet larger
 * than the maximum packet size is skipped, a packet that does not decode to exactly its framed size is
 * dropped, and when the buffer is full without a size, it is discarded. One batch per channel read; the end
 * of the channel, or a read error, stops the stream. Rejections are logged at debug (rate-limited) and never
 * thrown. {@link TcpReader} is this reader on an accepted socket.
 */
class ChannelReader extends Reader {
    /** Buffer capacity in packets of the maximum size, as spead2's TCP reader. */
    static final int PACKETS_PER_BUFFER = 64;
    private static final Logger LOG = LoggerFactory.getLogger(ChannelReader.class);

    private ReadableByteChannel channel;
    private final String name;
    private final long maxPacketSize;
    private final ByteBuffer buffer;
    private final MemorySegment segment;
    private final RejectLog rejects;
    private int head;
    private int tail;
    private long packetSize;
    private long toSkip;
    private long skippedHeaders;
    private long oversized;
    private long undecodable;
    private long bytesRead;

    /**
     * Creates the reader.
     *
     * @param stream the stream fed
     * @param channel the data, or null if {@link #openChannel()} provides it
     * @param name how logs name the source
     * @param maxPacketSize largest packet accepted; the buffer holds {@link #PACKETS_PER_BUFFER} of them
     */
    ChannelReader(StreamBase stream, ReadableByteChannel channel, String name, int maxPacketSize) {
        super(stream);
        this.channel = channel;
        this.name = name;
        this.maxPacketSize = maxPacketSize;
        this.buffer = ByteBuffer.allocateDirect(Math.multiplyExact(maxPacketSize, PACKETS_PER_BUFFER));
        this.segment = MemorySegment.ofBuffer(buffer);
        this.rejects = new RejectLog(LOG, name);
    }

    /**
     * Provides the channel to read when the reader starts (the TCP reader accepts its connection here).
     *
     * @return the channel, or null to end without data (the stream is not stopped)
     * @throws IOException if it cannot be opened
     */
    ReadableByteChannel openChannel() throws IOException {
        return channel;
    }

    @Override
    void readLoop() {
        try {
            channel = openChannel();
        } catch (IOException e) {
            if (!isStopRequested()) {
                LOG.warn("{}: cannot open: {}", name, e.toString());
            }
            return;
        }
        if (channel == null) {
            return;
        }
        try {
            boolean more = true;
            while (more && !isStopRequested()) {
                if (head > buffer.capacity() / 2 || (tail == buffer.capacity() && head > 0)) {
                    MemorySegment.copy(segment, head, segment, 0, tail - head);
                    tail -= head;
                    head = 0;
                }
                buffer.limit(buffer.capacity()).position(tail);
                int n;
                try {
                    n = channel.read(buffer);
                } catch (AsynchronousCloseException e) {
                    n = -2; // closed by stop() (or interrupted): end quietly
                } catch (IOException e) {
                    LOG.warn("{}: read failed after {} bytes; stopping as at the end of the data", name, bytesRead, e);
                    n = -2;
                }
                Batch b = stream.beginBatch(batch);
                try {
                    if (n < 0) {
                        if (n == -1 && tail > head) {
                            if (rejects.next()) {
                                rejects.detail((tail - head) + " bytes left at the end of the data");
                            }
                        }
                        b.stop();
                    } else if (n > 0) {
                        bytesRead += n;
                        tail += n;
                        process(b);
                    }
                } finally {
                    stream.endBatch(b);
                }
                if (b.isStopped()) {
                    more = false;
                }
            }
        } finally {
            closeQuietly(channel);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: {} bytes read; {} bad headers skipped, {} oversized packets skipped, {} packets "
                        + "did not decode", name, bytesRead, skippedHeaders, oversized, undecodable);
            }
            rejects.summarise();
        }
    }

    /** Frames and offers every whole packet buffered (spead2's TCP {@code process_buffer}). */
    private void process(Batch b) {
        PacketDecoder decoder = b.decoder;
        while (tail > head && !b.isStopped()) {
            if (packetSize == 0) {
                long size = PacketDecoder.packetSize(segment, head, tail - head);
                if (size < 0) {
                    skippedHeaders++;
                    b.drop(DropReason.BAD_HEADER);
                    rejects.reject("invalid header: skipping 8 bytes");
                    head = Math.min(head + 8, tail);
                    continue;
                }
                if (size == 0) {
                    if (tail - head == buffer.capacity()) {
                        if (rejects.next()) {
                            rejects.detail("buffer full without a packet size: discarding " + tail + " bytes");
                        }
                        head = tail;
                    }
                    return;
                }
                packetSize = size;
                if (size > maxPacketSize) {
                    oversized++;
                    b.drop(DropReason.LENGTH_MISMATCH);
                    if (rejects.next()) {
                        rejects.detail("packet of " + size + " bytes exceeds the maximum of " + maxPacketSize);
                    }
                    toSkip = size;
                }
            }
            if (toSkip > 0) {
                int skip = (int) Math.min(tail - head, toSkip);
                head += skip;
                toSkip -= skip;
                if (toSkip > 0) {
                    return;
                }
                packetSize = 0;
                continue;
            }
            if (tail - head < packetSize) {
                return;
            }
            int start = head;
            long size = packetSize;
            head += (int) size;
            packetSize = 0;
            long decoded = decoder.decode(segment, start, size);
            if (decoded == size) {
                stream.processPacket(b, decoder);
            } else {
                undecodable++;
                b.drop(decoded == 0 ? DropReason.of(decoder.status()) : DropReason.LENGTH_MISMATCH);
                if (rejects.next()) {
                    rejects.detail(decoded == 0 ? decoder.status().message()
                            : "packet decodes to " + decoded + " bytes, framed as " + size);
                }
            }
        }
    }

    @Override
    void closeSource() {
        closeQuietly(channel);
    }

    /** Closes a channel, logging a failure at debug. @param c the channel, or null */
    final void closeQuietly(java.nio.channels.Channel c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("{}: close failed", name, e);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }

    /**
     * Adds a byte-stream reader of a channel to a stream ({@link StreamBase#addChannelReader(
     * ReadableByteChannel, int)}); the channel is closed if the stream has already stopped.
     *
     * @param stream the stream
     * @param channel the data
     * @param maxPacketSize largest packet accepted, in bytes
     * @throws IllegalArgumentException if {@code maxPacketSize} is not in [16, 2^24]
     */
    static void addChannel(StreamBase stream, ReadableByteChannel channel, int maxPacketSize) {
        Objects.requireNonNull(channel, "channel");
        if (maxPacketSize < 16 || maxPacketSize > (1 << 24)) {
            throw new IllegalArgumentException("maxPacketSize must be in [16, 16777216], got " + maxPacketSize);
        }
        stream.addReaderOwning(new ChannelReader(stream, channel, channel.toString(), maxPacketSize), channel);
    }

    /**
     * Opens a file of packets back to back and adds its byte-stream reader to a stream
     * ({@link StreamBase#addChannelReader(Path)}).
     *
     * @param stream the stream
     * @param file the file
     * @throws IOException if the file cannot be opened
     */
    static void addFile(StreamBase stream, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        FileChannel opened = FileChannel.open(file, StandardOpenOption.READ);
        stream.addReaderOwning(new ChannelReader(stream, opened, file.toString(),
                StreamBase.DEFAULT_CHANNEL_MAX_PACKET_SIZE), opened);
    }

    /**
     * Adds a byte-stream reader of an input stream to a stream ({@link StreamBase#addStreamReader}).
     *
     * @param stream the stream
     * @param in the data
     */
    static void addInputStream(StreamBase stream, InputStream in) {
        Objects.requireNonNull(in, "in");
        ReadableByteChannel opened = Channels.newChannel(in);
        stream.addReaderOwning(new ChannelReader(stream, opened, in.toString(),
                StreamBase.DEFAULT_CHANNEL_MAX_PACKET_SIZE), opened);
    }
}
